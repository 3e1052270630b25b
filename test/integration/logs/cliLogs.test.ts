import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { main } from '../../../cli/main';
import type { CliIo } from '../../../cli/io';
import { runCli } from '../cli/runCli';

/**
 * `autopilot logs` against a tiny fake of the HTTP API's logs route (the contract of
 * functions/http/logs.ts): the real bin once, then in process for the edge cases.
 */
const TOKEN = 'tok-reader';
const LINES = [{ time: '2026-03-10T11:55:00.000Z', text: 'run() failed: KeyError: plan' }, { text: '  File "score.py", line 12, in run' }];
const requests: { path: string; authorization?: string }[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return send(401, { error: { code: 'Unauthenticated', message: 'missing or unknown token' } });
    const m = /^\/api\/endpoints\/([^/]+)\/deployments\/([^/?]+)\/logs\?(.*)$/.exec(req.url ?? '');
    if (req.method !== 'GET' || !m) return send(404, { error: { code: 'NotFound', message: `no route ${req.method} ${req.url}` } });
    const query = new URLSearchParams(m[3]);
    if (m[2] !== 'canary') return send(404, { error: { code: 'NotFound', message: `deployment '${m[1]}/${m[2]}' not found` } });
    return send(200, {
      endpoint: m[1],
      deployment: m[2],
      environment: query.get('environment'),
      source: 'Log Analytics 6f1c1f0e-3b7a-4a51-9d0e-2f4b8c7a9e10',
      lines: LINES,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function captureIo(): CliIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    env: { AUTOPILOT_URL: url, AUTOPILOT_TOKEN: TOKEN },
    cwd: tmpdir(),
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
const run = async (args: string[]) => {
  const io = captureIo();
  const code = await main(['node', 'autopilot', ...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
};

describe('autopilot logs', () => {
  test('prints the lines with their times on stdout and the source on stderr, asking for the environment of the endpoint name', async () => {
    const result = await runCli(['logs', 'churn-prod', 'canary', '--tail', '20', '--since', '1h'], {
      AUTOPILOT_URL: url,
      AUTOPILOT_TOKEN: TOKEN,
    });
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toBe('2026-03-10T11:55:00.000Z  run() failed: KeyError: plan\n  File "score.py", line 12, in run\n');
    expect(result.stderr).toBe('Source: Log Analytics 6f1c1f0e-3b7a-4a51-9d0e-2f4b8c7a9e10\n');
    expect(requests.at(-1)).toEqual({
      path: '/api/endpoints/churn-prod/deployments/canary/logs?environment=prod&tail=20&since=1h',
      authorization: `Bearer ${TOKEN}`,
    });
  });

  test('--json prints only the JSON answer; --environment overrides the one in the name', async () => {
    const result = await run(['logs', 'scoring', 'canary', '--environment', 'staging', '--json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      endpoint: 'scoring',
      deployment: 'canary',
      environment: 'staging',
      source: expect.stringContaining('Log Analytics'),
      lines: LINES,
    });
    expect(requests.at(-1)?.path).toBe('/api/endpoints/scoring/deployments/canary/logs?environment=staging');
  });

  test('a deployment the API does not know exits 4 (not found) with its message', async () => {
    const result = await run(['logs', 'churn-prod', 'gone']);
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("deployment 'churn-prod/gone' not found [HTTP 404 NotFound]");
  });

  test('usage errors (exit 2) for a name without environment, a tail above 5000 and a malformed since, before any request', async () => {
    const before = requests.length;
    const unnamed = await run(['logs', 'scoring', 'canary']);
    expect(unnamed).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("cannot tell the environment of 'scoring' from its name; pass --environment"),
    });
    const tail = await run(['logs', 'churn-prod', 'canary', '--tail', '5001']);
    expect(tail).toMatchObject({ code: 2, stderr: expect.stringContaining('expected a whole number from 1 to 5000') });
    const since = await run(['logs', 'churn-prod', 'canary', '--since', 'yesterday']);
    expect(since).toMatchObject({ code: 2, stderr: expect.stringContaining("'yesterday' is neither an ISO time") });
    expect(requests.length).toBe(before);
  });
});
