import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEndpointHost, localMlWorkspace, type LocalMlWorkspace } from '../../../adapters/local/workspace';

/** Job commands written for Azure ML (`python train.py ...`) run with the interpreter the user chose. */
describe('Python in local job commands', () => {
  let root: string;
  let workspace: LocalMlWorkspace;
  let host: LocalEndpointHost;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'pyjobs-'));
    host = new LocalEndpointHost({ port: 0 });
    await host.start();
    workspace = localMlWorkspace({
      environment: 'dev',
      rootDir: join(root, 'ws'),
      endpointHost: host,
      fetchInput: async () => Buffer.alloc(0),
    });
    await workspace.start();
  });
  afterAll(async () => {
    await workspace.stop();
    await host.stop();
    rmSync(root, { recursive: true, force: true });
  });
  afterEach(() => delete process.env['AUTOPILOT_PYTHON']);

  const job = (name: string, command: string) => {
    const spec = join(root, `${name}.yaml`);
    writeFileSync(spec, `command: ${command}\noutputs:\n  model_output: { type: custom_model }\n`);
    return workspace.jobs.submitJob({ name, specPath: spec, inputs: {} }).then(() => workspace.jobs.waitForJob(name));
  };

  it('runs `python` and `python3` as AUTOPILOT_PYTHON, which Debian does not name `python`', async () => {
    process.env['AUTOPILOT_PYTHON'] = '/usr/bin/python3';
    const done = await job(
      'which-python',
      `python -c "import sys; open('\${{outputs.model_output}}/py.txt', 'w').write(sys.executable)" && python3 -c "import sys; print(sys.executable)"`,
    );
    expect(done.status).toBe('completed');
    expect(readFileSync(join(join(root, 'ws', 'jobs', 'which-python'), 'outputs', 'model_output', 'py.txt'), 'utf8')).toBe(
      '/usr/bin/python3',
    );
  });

  it('fails a job whose module is missing with the module and how to install it', async () => {
    const done = await job('missing-module', 'python -c "import sklearn_is_not_here"');
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(
      /exit code 1[\s\S]*ModuleNotFoundError: No module named 'sklearn_is_not_here'[\s\S]*hint: .*AUTOPILOT_PYTHON/,
    );
  });

  it('fails a job at once when AUTOPILOT_PYTHON names no interpreter, saying so', async () => {
    process.env['AUTOPILOT_PYTHON'] = join(root, 'nowhere', 'python');
    const done = await job('no-interpreter', 'python -c "print(1)"');
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/exit code 127[\s\S]*the Python interpreter '.*nowhere\/python' was not found/);
  });
});
