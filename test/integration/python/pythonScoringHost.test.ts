import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../support/waitFor';
import { ScoringProcess } from '../../../adapters/local/inference/scoringProcess';
import { ProbeSettings } from '../../../shared/jobs/deploymentSpec';

/**
 * The local Python host against a real Python process: the Azure ML entry-script contract a
 * score.py is written for (azureml-inference-server-http), with the standard library only.
 */
const codeDir = join(__dirname, '../../fixtures/python/contract');
const liveness = ProbeSettings.parse({ initial_delay: 0, period: 1, failure_threshold: 60 });

function post(url: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/score`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('the local Python scoring host (Azure ML inference server contract)', () => {
  let root: string;
  let server: ScoringProcess;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'pyhost-'));
    writeFileSync(join(root, 'model.txt'), 'model bytes');
    server = new ScoringProcess(
      {
        label: 'deployment blue',
        scriptPath: join(codeDir, 'score.py'),
        codeDir,
        modelDir: root,
        environmentVariables: {},
        liveness,
        scoringTimeoutMs: 1500,
        logFile: join(root, 'blue.log'),
      },
      { restart: false },
    );
    await server.start();
  });

  afterAll(async () => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('calls init() once, from the code folder, with the variables Azure ML sets', async () => {
    await post(server.url!, { action: 'noop' });
    const answer = await post(server.url!, { action: 'env' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      init_calls: 1,
      cwd: codeDir,
      model_dir: root,
      app_root: codeDir,
      entry_script: 'score.py',
      model_file: 'model bytes',
      helper: 'helper module',
    });
  });

  it("listens with a backlog for bursts of new connections (Python's default of 5 makes the sixth wait a second or be reset)", () => {
    // `ss` shows a listening socket's backlog as Send-Q; the kernel caps it at net.core.somaxconn.
    const port = new URL(server.url!).port;
    const line = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
    const backlog = Number(line.split(/\s+/)[2]);
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    expect(backlog).toBe(Math.min(2048, somaxconn));
  });

  it('passes the raw body to run() and answers its JSON; a string is sent as it is', async () => {
    expect(await post(server.url!, { input_data: { columns: ['x'], data: [[1], [2], [3]] } })).toEqual({ status: 200, body: '[3]' });
    expect(await post(server.url!, { action: 'string' })).toEqual({ status: 200, body: '{"predictions": [1, 2]}' });
  });

  it('answers an exception with a 500 naming it and writes the traceback to the deployment log', async () => {
    const answer = await post(server.url!, { action: 'raise' });
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body).error).toBe('run() failed: RuntimeError: cannot score this row');
    // stderr reaches the log through the parent's pipe, in its own time: wait for it, not for a clock.
    const log = await waitFor('the traceback in the deployment log', async () => {
      const text = readFileSync(join(root, 'blue.log'), 'utf8');
      return /RuntimeError: cannot score this row/.test(text) ? text : undefined;
    });
    expect(log).toMatch(/Traceback[\s\S]*score\.py[\s\S]*RuntimeError: cannot score this row/);
  });

  it('answers an exception carrying a 4xx status_code with that status, as AMLResponse(message, 400)', async () => {
    const answer = await post(server.url!, { action: 'bad-request' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ error: "column 'x' is missing" });
  });

  it('refuses a result that is not JSON (NaN) with a 500 saying so', async () => {
    const answer = await post(server.url!, { action: 'nan' });
    expect(answer.status).toBe(500);
    expect(answer.body).toMatch(/not JSON compliant/);
  });

  it('reads a chunked request body whole, as a client streaming its rows sends it', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${server.url}/score`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      // No content-length and two writes: node sends Transfer-Encoding: chunked.
      req.write('{"input_data": {"columns": ["x"], ');
      req.end('"data": [[1], [2]]}}');
    });
    expect(answer).toEqual({ status: 200, body: '[2]' });
  });

  it('answers a request whose content-length is not a number with a 400, and keeps serving', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(server.url!).port), '127.0.0.1', () =>
        socket.end('POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\nx'),
      );
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.[01] 400[\s\S]*content-length/i);
    expect((await post(server.url!, { action: 'noop' })).status).toBe(200);
  });

  it('interrupts a run() longer than the request timeout with a 504, and serves the next request', async () => {
    const slow = await post(server.url!, { action: 'sleep', seconds: 30 });
    expect(slow.status).toBe(504);
    expect(JSON.parse(slow.body).error).toMatch(/did not finish within 1500 ms .*request_timeout_ms/);
    expect(await post(server.url!, { action: 'sleep', seconds: 0 })).toEqual({ status: 200, body: '["slept"]' });
  });
});

describe('the local Python scoring host when it cannot start', () => {
  let root: string;
  beforeAll(() => (root = mkdtempSync(join(tmpdir(), 'pyhost-fail-'))));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  afterEach(() => delete process.env['AUTOPILOT_PYTHON']);

  const start = (env: Record<string, string> = {}) =>
    new ScoringProcess(
      { label: 'deployment green', scriptPath: join(codeDir, 'score.py'), codeDir, modelDir: root, environmentVariables: env, liveness },
      { restart: false },
    ).start();

  it('fails with the missing module and how to install it', async () => {
    await expect(start({ FAIL_INIT: 'module' })).rejects.toThrow(
      /exited \(exit code 1\) before it became live[\s\S]*ModuleNotFoundError: No module named 'sklearn_that_is_not_installed'[\s\S]*hint: .*apt-get install python3-sklearn_that_is_not_installed.*AUTOPILOT_PYTHON/,
    );
  });

  it('fails with how to choose an interpreter when AUTOPILOT_PYTHON names none', async () => {
    process.env['AUTOPILOT_PYTHON'] = join(root, 'no-python-here');
    await expect(start()).rejects.toThrow(/the Python interpreter '.*no-python-here' was not found: .*set AUTOPILOT_PYTHON/);
  });

  it('exits when its parent goes away (its stdin closes), so no server is orphaned', async () => {
    const host = spawn('python3', ['-u', join(__dirname, '../../../adapters/local/inference/python/scoring_host.py')], {
      cwd: codeDir,
      env: { ...process.env, AZUREML_ENTRY_SCRIPT: 'score.py', AML_APP_ROOT: codeDir, AZUREML_MODEL_DIR: root },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => host.stdout.once('data', resolve));
    host.stdin.end();
    const code = await new Promise((resolve) => host.once('exit', resolve));
    expect(code).toBe(0);
  });
});
