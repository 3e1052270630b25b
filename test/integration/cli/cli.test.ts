import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { freePort } from '../../../devhost/freePort';
import { makeRelease, startFakeApi, type FakeApi } from './fakeApi';
import { runCli } from './runCli';

let azurite: RunningAzurite;
let api: FakeApi;
let dir: string;
let env: Record<string, string>;
const TOKEN = 'tok-ml-engineer';

beforeAll(async () => {
  azurite = await startAzurite();
  api = await startFakeApi({ connectionString: azurite.connectionString, token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'autopilot-cli-'));
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir);
  // The reader comes first: the CLI must pick the local ML engineer's token.
  writeFileSync(
    join(stateDir, 'tokens.json'),
    JSON.stringify({
      tokens: [
        { token: 'tok-reader', principal: 'local-reader', roles: ['reader'] },
        { token: TOKEN, principal: 'local-ml-engineer', roles: ['ml-engineer'] },
      ],
    }),
  );
  env = { AUTOPILOT_URL: api.url, AUTOPILOT_STATE_DIR: stateDir };
  const t0 = '2025-01-01T10:00:00.000Z';
  api.releases.push(
    makeRelease({
      id: 'rel-old',
      status: 'succeeded',
      stage: 'promote',
      model: { name: 'default', version: 3 },
      createdAt: t0,
      updatedAt: t0,
      endedAt: '2025-01-01T10:04:00.000Z',
      stages: {
        validate: { status: 'succeeded', startedAt: t0, endedAt: '2025-01-01T10:00:00.300Z', detail: '1000 rows', attempts: 1 },
        train: { status: 'succeeded', startedAt: '2025-01-01T10:00:01.000Z', endedAt: '2025-01-01T10:00:05.100Z', attempts: 1 },
      },
    }),
    makeRelease({
      id: 'rel-rejected',
      status: 'rejected',
      stage: 'evaluate',
      reason: 'auc 0.61 does not beat champion 0.90 by 0.01',
      createdAt: '2025-01-02T10:00:00.000Z',
      updatedAt: '2025-01-02T10:00:00.000Z',
    }),
  );
  api.audit.push({ at: t0, releaseId: 'rel-old', actor: 'blob-trigger', action: 'created', why: 'new data default/day1.csv' });
});

afterAll(async () => {
  await api?.close();
  await azurite?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('autopilot CLI against the HTTP API', () => {
  test('releases --json prints only a JSON array with id, pipeline, status, stage, model and reason', async () => {
    const result = await runCli(['releases', '--json'], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const releases = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(Array.isArray(releases)).toBe(true);
    const byId = Object.fromEntries(releases.map((r) => [r.id, r]));
    expect(byId['rel-old']).toMatchObject({
      pipeline: 'default',
      status: 'succeeded',
      stage: 'promote',
      model: { name: 'default', version: 3 },
    });
    expect(byId['rel-rejected']).toMatchObject({ status: 'rejected', stage: 'evaluate', reason: expect.stringContaining('does not beat') });
    // It authenticated with the local ML engineer's token from tokens.json.
    expect(api.requests.at(-1)).toMatchObject({ path: '/api/releases?limit=20', authorization: `Bearer ${TOKEN}` });
  });

  test('releases prints a table with model and reason, and passes --pipeline and --limit on', async () => {
    const result = await runCli(['releases', '--pipeline', 'default', '--limit', '5'], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+PIPELINE\s+STATUS\s+STAGE\s+MODEL\s+AGE\s+REASON$/);
    expect(result.stdout).toMatch(/rel-old\s+default\s+✓ succeeded\s+promote\s+default v3\s+\d+d ago/);
    expect(result.stdout).toContain('auc 0.61 does not beat champion');
    expect(api.requests.at(-1)?.path).toBe('/api/releases?pipeline=default&limit=5');
  });

  test('a --limit the API would refuse is a usage error before any request, naming the range', async () => {
    const before = api.requests.length;
    const events = await runCli(['events', '--limit', '600'], env);
    expect(events.code).toBe(2);
    expect(events.stderr).toContain('expected a whole number from 1 to 500');
    const releases = await runCli(['releases', '--limit', '1.5'], env);
    expect(releases.code).toBe(2);
    expect(releases.stderr).toContain('expected a whole number from 1 to 1000');
    expect(api.requests.length).toBe(before);
  });

  test('endpoints --json prints only the endpoints with name, environment, scoringUri and traffic; the table shows the split', async () => {
    const json = await runCli(['endpoints', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)[0]).toMatchObject({
      name: 'default-prod',
      environment: 'prod',
      scoringUri: 'http://127.0.0.1:7072/endpoints/default-prod/score',
      traffic: { blue: 90, green: 10 },
    });
    const table = await runCli(['endpoints'], env);
    expect(table.stdout).toMatch(/default-prod\s+prod\s+http:\/\/127\.0\.0\.1:7072\/endpoints\/default-prod\/score\s+blue=90 green=10/);
  });

  test('status --once shows the newest release of each pipeline with a line per stage', async () => {
    const result = await runCli(['status', '--once', '--pipeline', 'default'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^default\s+rel-rejected\s+⊘ rejected/m);
    expect(result.stdout).toContain('reason: auc 0.61 does not beat champion 0.90 by 0.01');
    expect(result.stdout).toMatch(/^ {2}validate\s+·/m);

    const json = await runCli(['status', '--json', '--pipeline', 'default'], env);
    expect(JSON.parse(json.stdout).map((r: { id: string }) => r.id)).toEqual(['rel-rejected']);
  });

  test('release <id> shows stages and the audit log; an unknown id is reported with the API message', async () => {
    const shown = await runCli(['release', 'rel-old'], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^ {2}train\s+✓ 4\.1 s/m);
    expect(shown.stdout).toMatch(/Audit log:\n.*\n.*blob-trigger\s+created.*new data default\/day1\.csv/);

    const missing = await runCli(['release', 'nope'], env);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain("Release 'nope' not found");
  });

  test('run <pipeline> starts a manual release and prints its id', async () => {
    const result = await runCli(['run', 'default'], env);
    expect(result.code).toBe(0);
    const id = /Started release (\S+) of pipeline default/.exec(result.stdout)?.[1];
    expect(api.releases.find((r) => r.id === id)).toMatchObject({ pipeline: 'default', trigger: { kind: 'manual' } });
    expect(api.requests.at(-1)).toMatchObject({ method: 'POST', body: { pipeline: 'default' } });
  });

  test('a bad token is reported with how to get a good one (exit 3)', async () => {
    const result = await runCli(['releases', '--token', 'wrong'], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/missing or unknown bearer token.*HTTP 401.*AUTOPILOT_TOKEN/);
  });
});

describe('autopilot upload', () => {
  let csv: string;
  beforeAll(() => {
    csv = join(dir, 'day1.csv');
    writeFileSync(csv, 'x,label\n1,0\n2,1\n');
  });

  test('upload puts the file under the pipeline prefix in Blob Storage and prints the URL and eTag', async () => {
    const result = await runCli(['upload', csv, '--name', 'plain.csv', '--json', '--connection-string', azurite.connectionString], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const uploaded = JSON.parse(result.stdout);
    expect(uploaded).toMatchObject({ container: 'training-data', name: 'default/plain.csv', contentLength: 16 });
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient('training-data')
      .getBlobClient('default/plain.csv');
    expect((await blob.downloadToBuffer()).toString()).toBe('x,label\n1,0\n2,1\n');
    expect(uploaded.eTag).toBe((await blob.getProperties()).etag);
    expect(uploaded.url).toBe(blob.url);
  });

  test('upload --wait follows the release started by that upload until it succeeds', async () => {
    const result = await runCli(['upload', csv, '--wait', '--interval', '0.05', '--connection-string', azurite.connectionString], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Uploaded');
    expect(result.stdout).toMatch(/eTag "0x[0-9A-F]+"/);
    // Not a TTY: one line per transition, ending with the release's success.
    expect(result.stdout).toMatch(/default rel-\d+ train ✓ succeeded/);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/default rel-\d+ ✓ succeeded model default v7$/);
  });

  test('status follows every running release live, printing only transitions, until all have ended', async () => {
    api.startRelease('churn');
    await BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient('training-data')
      .getBlockBlobClient('churn/week1.csv')
      .upload('a,churned\n1,0\n', 14);
    const result = await runCli(['status', '--pipeline', 'churn', '--interval', '0.05'], env);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    // Two churn releases run (a manual one and this upload's); each transition is printed once,
    // including the end of the older one after the newer one took its place as newest.
    expect(lines.filter((l) => / evaluate ✓ succeeded/.test(l))).toHaveLength(2);
    expect(lines.filter((l) => /^\S+ churn rel-\d+ ✓ succeeded/.test(l))).toHaveLength(2);
    expect(lines.every((l) => l.includes(' churn '))).toBe(true);
  });

  test('upload explains a missing file, a folder and an unknown pipeline', async () => {
    const missing = await runCli(['upload', join(dir, 'nope.csv')], env);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toContain(`File not found: ${join(dir, 'nope.csv')}`);

    const folder = await runCli(['upload', dir], env);
    expect(folder.stderr).toContain('is not a file');

    const unknown = await runCli(['upload', csv, '--pipeline', 'fraud'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Unknown pipeline 'fraud'. Known pipelines: default, churn.");
  });

  test('upload to unreachable storage says so, that the stack is up, and how to point at storage', async () => {
    const deadPort = await freePort();
    const deadStorage = azurite.connectionString.replace(`:${azurite.ports.blob}/`, `:${deadPort}/`);
    const result = await runCli(['upload', csv, '--connection-string', deadStorage], env);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`Cannot reach Blob Storage at http://127.0.0.1:${deadPort}`);
    expect(result.stderr).toContain('--connection-string');
    expect(result.stderr).not.toContain('AccountKey');
  });
});

describe('autopilot without a running API', () => {
  test('every API command fails with exit 5 naming the URL and how to start the stack', async () => {
    const url = `http://127.0.0.1:${await freePort()}/api`;
    const result = await runCli(['releases', '--json'], { ...env, AUTOPILOT_URL: url });
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Cannot reach the autopilot API at ${url} (connection refused)`);
    expect(result.stderr).toContain('npm start');
  });
});
