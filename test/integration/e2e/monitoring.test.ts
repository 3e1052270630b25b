import { BlobServiceClient } from '@azure/storage-blob';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { promisify } from 'node:util';
import { join, resolve } from 'node:path';
import { generateCsv } from '../../../examples/tabular/generate';
import type { MonitorRun } from '../../../shared/monitoring/runMonitor';
import type { Release } from '../../../shared/release/types';
import { startTestStack, waitFor, type TestStack } from './localStack';

// The sum of the deadlines below: each only bounds how long a failure takes on a loaded machine.
jest.setTimeout(720_000);

const ROOT = resolve(__dirname, '../../..');
let stack: TestStack;
let hooks: Server;
const notified: { type: string; data: Record<string, unknown> }[] = [];
const secret = `whsec_${randomBytes(32).toString('base64')}`;
let forged = 0;

beforeAll(async () => {
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      try {
        // As a receiver would: only a body signed with the shared secret counts.
        notified.push(
          new Webhook(secret).verify(body, req.headers as Record<string, string>) as { type: string; data: Record<string, unknown> },
        );
        res.end('ok');
      } catch {
        forged++;
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', () => r()));
  const port = (hooks.address() as { port: number }).port;
  stack = await startTestStack({
    config: join(ROOT, 'test/fixtures/e2e/monitoring.yaml'),
    env: { MONITORING_HOOK_URL: `http://127.0.0.1:${port}/hook`, MONITORING_HOOK_SECRET: secret },
  });
});

afterAll(async () => {
  await stack?.stop();
  await new Promise((r) => hooks?.close(r));
});

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.api}${path}`, { headers: { authorization: `Bearer ${stack.token()}` } });
  return (await response.json()) as T;
}

/** Prod traffic: the generator's rows, as a client sends them (MLflow input_data). */
async function score(csv: string, rowsPerRequest = 50): Promise<void> {
  const [header, ...lines] = csv.trimEnd().split('\n');
  const columns = header!.split(',');
  const label = columns.indexOf('label');
  const featureColumns = columns.filter((_, i) => i !== label);
  const rows = lines.map((l) =>
    l
      .split(',')
      .filter((_, i) => i !== label)
      .map((v) => (v === '' ? null : Number.isFinite(Number(v)) ? Number(v) : v)),
  );
  for (let i = 0; i < rows.length; i += rowsPerRequest) {
    const response = await fetch(`${stack.endpoints}/default-prod/score`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input_data: { columns: featureColumns, data: rows.slice(i, i + rowsPerRequest) } }),
    });
    expect(response.status).toBe(200);
  }
}

describe('monitoring that retrains, on the embedded stack', () => {
  it('turns shifted prod traffic into a drift report, a notification and exactly one retraining release', async () => {
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
    await container.createIfNotExists();
    const data = generateCsv({ rows: 2000, seed: 41 });
    await container.getBlockBlobClient('default/base.csv').upload(data, data.length);
    await waitFor(
      'the first model in prod',
      async () => {
        const { releases } = await get<{ releases: Release[] }>('/releases');
        return releases.find((r) => r.status === 'succeeded');
      },
      { timeoutMs: 300_000 },
    );

    // Shifted traffic keeps arriving while the monitors run every 10 s.
    const shifted = generateCsv({ rows: 3000, seed: 42, shift: 2 });
    let sending = true;
    const traffic = (async () => {
      while (sending) await score(shifted);
    })();
    const retrain = await waitFor(
      'a drift retraining release',
      async () => {
        const { releases } = await get<{ releases: Release[] }>('/releases');
        return releases.find((r) => r.trigger.kind === 'drift');
      },
      { timeoutMs: 150_000 },
    );
    // Later drifted runs of the same episode must not start a second one. Waiting for such a
    // run (not for a fixed time) keeps this true on a loaded machine, where timer runs slip.
    await waitFor(
      'a later drifted run that declines to retrain again',
      async () => {
        const { runs } = await get<{ runs: MonitorRun[] }>('/monitors/default?limit=50');
        return runs.find(
          (r) => r.outcome === 'drift' && r.retrain && 'skipped' in r.retrain && /already started a retrain/.test(r.retrain.skipped),
        );
      },
      { timeoutMs: 150_000 },
    );
    sending = false;
    await traffic;

    const { releases } = await get<{ releases: Release[] }>('/releases');
    expect(releases.filter((r) => r.trigger.kind === 'drift').map((r) => r.id)).toEqual([retrain.id]);
    expect(retrain.data?.container).toBe('autopilot-artifacts');

    const { runs } = await get<{ runs: MonitorRun[] }>('/monitors/default?limit=50');
    const drifted = runs.filter((r) => r.outcome === 'drift');
    expect(drifted.length).toBeGreaterThanOrEqual(3);
    expect(drifted.some((r) => r.retrain && 'releaseId' in r.retrain && r.retrain.releaseId === retrain.id)).toBe(true);
    expect(drifted.some((r) => r.retrain && 'skipped' in r.retrain && /already started a retrain/.test(r.retrain.skipped))).toBe(true);
    const report = drifted[0]!.report!;
    expect(report.reasons.join('\n')).toMatch(/tenure_months|monthly_charges|total_charges|support_calls/);
    // The privacy exclusion: `age` never reached inference data, so it reads as absent.
    expect(report.features.find((f) => f.feature === 'age')?.quality.absentRate).toBe(1);

    const { events } = await get<{ events: { type: string }[] }>('/events?type=autopilot.DriftDetected');
    expect(events.length).toBeGreaterThan(0);
    const cli = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'bin/autopilot.js'), 'events', '--type', 'autopilot.DriftDetected', '--json'],
      {
        env: { ...process.env, AUTOPILOT_URL: stack.api, AUTOPILOT_STATE_DIR: stack.stateDir },
      },
    );
    expect((JSON.parse(cli.stdout) as { type: string }[]).every((e) => e.type === 'autopilot.DriftDetected')).toBe(true);
    // Signed notifications of the decisions: the first release started and promoted, then one
    // drift message for the episode however many runs drifted (the digest), no stage-by-stage noise.
    await waitFor('the webhook notification', async () => notified.find((e) => e.type === 'autopilot.DriftDetected'), {
      timeoutMs: 60_000,
    });
    const types = notified.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['autopilot.ReleaseQueued', 'autopilot.ReleaseSucceeded', 'autopilot.DriftDetected']));
    expect(types.filter((t) => t === 'autopilot.DriftDetected')).toHaveLength(1);
    expect(types).not.toContain('autopilot.ReleaseStageCompleted');
    expect(forged).toBe(0);
  });
});
