import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../support/waitFor';
import { makeRelease, startFakeApi, type FakeApi } from './fakeApi';
import { runCli, spawnCli } from './runCli';

let api: FakeApi;
let env: Record<string, string>;
let stateDir: string;
const TOKEN = 'tok-ops';

beforeAll(async () => {
  api = await startFakeApi({ token: TOKEN });
  stateDir = mkdtempSync(join(tmpdir(), 'autopilot-ops-'));
  env = { AUTOPILOT_URL: api.url, AUTOPILOT_TOKEN: TOKEN, AUTOPILOT_STATE_DIR: stateDir };
  api.releases.push(
    makeRelease({
      id: 'rel-done',
      status: 'succeeded',
      stage: 'promote',
      createdAt: '2026-12-01T10:00:00.000Z',
      updatedAt: '2026-12-01T10:05:00.000Z',
      endedAt: '2026-12-01T10:05:00.000Z',
    }),
  );
  api.audit.push(
    {
      at: '2026-12-01T10:00:00.000Z',
      releaseId: 'rel-done',
      pipeline: 'default',
      actor: 'autopilot',
      action: 'create',
      why: 'new data default/day1.csv',
    },
    { at: '2026-12-02T09:00:00.000Z', pipeline: 'churn', actor: 'eli', action: 'rollback', why: 'bad hand deploy (churn-prod: x -> y)' },
  );
  api.alerts.push({
    alert: {
      alertId: 'a1',
      rule: 'high-latency',
      condition: 'Fired',
      severity: 'Sev2',
      service: 'Platform',
      firedAt: '2026-12-02T08:59:00Z',
      targets: [],
    },
    receivedAt: '2026-12-02T09:00:00Z',
    outcome: 'rolled_back',
    endpoints: ['default-prod'],
    releases: ['rel-done'],
  });
});

afterAll(async () => {
  await api?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('autopilot monitors, alerts and audit', () => {
  test('monitors run prints the outcome and reasons; monitors list then shows that run', async () => {
    const ran = await runCli(['monitors', 'run', 'default'], env);
    expect(ran).toMatchObject({ code: 0, stderr: '' });
    expect(ran.stdout).toBe('default monitor m-1: no-model on 0 rows of default-prod\n  - nothing serves on default-prod\n');
    expect(api.requests.at(-1)).toMatchObject({ method: 'POST', path: '/api/monitors/default/run' });

    const listed = await runCli(['monitors', 'list', 'default', '--limit', '5'], env);
    expect(listed.stdout).toMatch(
      /^TIME\s+TRIGGER\s+OUTCOME\s+ROWS\s+RETRAIN\s+REASONS\n\S+\s+manual\s+no-model\s+0\s+nothing serves on default-prod\n$/,
    );
    expect(api.requests.at(-1)?.path).toBe('/api/monitors/default?limit=5');
    const json = await runCli(['monitors', 'list', 'default', '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ id: 'm-1', outcome: 'no-model', trigger: 'manual' })]);
  });

  test('monitors of an unknown pipeline exit 4 with the API message', async () => {
    const result = await runCli(['monitors', 'run', 'fraud', '--json'], env);
    expect(result).toMatchObject({ code: 4, stdout: '' });
    expect(result.stderr).toContain("pipeline 'fraud' not found [HTTP 404 NotFound]");
  });

  test('alerts lists what fired and what was done; --json the records', async () => {
    const table = await runCli(['alerts'], env);
    expect(table.stdout).toMatch(/high-latency\s+Fired\s+Sev2\s+rolled_back\s+default-prod\s+rel-done/);
    const json = await runCli(['alerts', '--json', '--limit', '10'], env);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ outcome: 'rolled_back', releases: ['rel-done'] })]);
    expect(api.requests.at(-1)?.path).toBe('/api/alerts?limit=10');
  });

  test('audit sends the range and filters as typed and prints the entries oldest first', async () => {
    const table = await runCli(['audit', '--since', '2026-12-01T00:00:00Z', '--until', '2026-12-03T00:00:00Z'], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^AT\s+PIPELINE\s+RELEASE\s+ACTOR\s+ACTION\s+TRANSITION\s+WHY$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/default\s+rel-done\s+autopilot\s+create\s+new data/),
      expect.stringMatching(/churn\s+-\s+eli\s+rollback\s+bad hand deploy/),
    ]);
    expect(api.requests.at(-1)?.path).toBe('/api/audit?since=2026-12-01T00%3A00%3A00Z&until=2026-12-03T00%3A00%3A00Z&limit=1000');

    const json = await runCli(['audit', '--since', '24h', '--pipeline', 'churn', '--json'], env);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ entries: [{ actor: 'eli', action: 'rollback' }], truncated: false });
    expect(api.requests.at(-1)?.path).toBe('/api/audit?since=24h&pipeline=churn&limit=1000');
    await runCli(['audit', '--release', 'rel-done'], env);
    expect(api.requests.at(-1)?.path).toBe('/api/audit?release=rel-done&limit=1000');
  });

  test('audit warns on stderr when the limit cut the log, keeping stdout pure JSON', async () => {
    const result = await runCli(['audit', '--since', '2026-01-01', '--limit', '1', '--json'], env);
    expect(JSON.parse(result.stdout).entries).toHaveLength(1);
    expect(result.stderr).toContain('warning: more than 1 entries match');
  });

  test('a missing token exits 3', async () => {
    const result = await runCli(['audit'], { ...env, AUTOPILOT_TOKEN: 'wrong' });
    expect(result.code).toBe(3);
  });
});

describe('autopilot status --watch', () => {
  test('stays live after every release ended, shows a new one as it starts, and exits 0 on Ctrl-C', async () => {
    const live = spawnCli(['status', '--watch', '--interval', '0.05', '--pipeline', 'default'], env);
    try {
      // rel-done has ended; plain `status` would return now, --watch keeps polling.
      await waitFor('the ended release', async () => (/rel-done ✓ succeeded/.test(live.stdout()) ? true : undefined), {
        timeoutMs: 30_000,
      });
      const polls = api.requests.length;
      await waitFor('more polls after every release ended', async () => (api.requests.length > polls + 2 ? true : undefined), {
        timeoutMs: 30_000,
      });
      const started = api.startRelease('default');
      await waitFor('the new release', async () => (live.stdout().includes(`${started.id} validate`) ? true : undefined), {
        timeoutMs: 30_000,
      });
      live.child.kill('SIGINT');
      expect(await live.exited).toBe(0);
      expect(live.stderr()).toBe('');
    } finally {
      live.child.kill('SIGKILL');
    }
  });

  test('--watch --json prints one JSON array per change and nothing else', async () => {
    const live = spawnCli(['status', '--watch', '--json', '--interval', '0.05', '--pipeline', 'churn'], env);
    try {
      await waitFor('the first snapshot', async () => (live.stdout().includes('\n') ? true : undefined), { timeoutMs: 30_000 });
      const started = api.startRelease('churn');
      await waitFor('the new release', async () => (live.stdout().includes(started.id) ? true : undefined), { timeoutMs: 30_000 });
      live.child.kill('SIGINT');
      expect(await live.exited).toBe(0);
      const snapshots = live
        .stdout()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: string }[]);
      expect(snapshots[0]).toEqual([]);
      expect(snapshots.at(-1)!.map((r) => r.id)).toContain(started.id);
    } finally {
      live.child.kill('SIGKILL');
    }
  });
});
