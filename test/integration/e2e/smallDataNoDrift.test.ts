import { BlobServiceClient } from '@azure/storage-blob';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { MonitorRun } from '../../../shared/monitoring/runMonitor';
import type { Release } from '../../../shared/release/types';
import { startTestStack, waitFor, type TestStack } from './localStack';

// The sum of the deadlines below: each only bounds how long a failure takes on a loaded machine.
jest.setTimeout(600_000);

const ROOT = resolve(__dirname, '../../..');
/** The public breast-cancer data set (569 rows, 30 numeric features, label 0/1). */
const SAMPLE = readFileSync(join(ROOT, 'examples/sklearn/sample.csv'), 'utf8');
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ config: join(ROOT, 'test/fixtures/e2e/smallDataMonitoring.yaml') });
});

afterAll(async () => {
  await stack?.stop();
});

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.api}${path}`, { headers: { authorization: `Bearer ${stack.token()}` } });
  return (await response.json()) as T;
}

/** The model's own rows, as a client sends them (label removed, numbers as numbers). */
async function scoreOwnRows(rowsPerRequest = 50): Promise<number> {
  const [header, ...lines] = SAMPLE.trimEnd().split('\n');
  const columns = header!.split(',');
  const label = columns.indexOf('label');
  const rows = lines.map((l) =>
    l
      .split(',')
      .filter((_, i) => i !== label)
      .map(Number),
  );
  for (let i = 0; i < rows.length; i += rowsPerRequest) {
    const response = await fetch(`${stack.endpoints}/default-prod/score`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input_data: { columns: columns.filter((_, c) => c !== label), data: rows.slice(i, i + rowsPerRequest) } }),
    });
    expect(response.status).toBe(200);
  }
  return rows.length;
}

describe('same-distribution traffic on a small dataset, on the embedded stack', () => {
  it('monitors the 569-row model scored on its own rows three times: no drift, no retraining release', async () => {
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
    await container.createIfNotExists();
    await container.getBlockBlobClient('default/cancer.csv').upload(SAMPLE, Buffer.byteLength(SAMPLE));
    const first = await waitFor(
      'the first model in prod',
      async () => {
        const { releases } = await get<{ releases: Release[] }>('/releases');
        return releases.find((r) => r.status === 'succeeded');
      },
      { timeoutMs: 300_000 },
    );

    let scored = 0;
    for (let pass = 0; pass < 3; pass++) scored += await scoreOwnRows();
    expect(scored).toBe(3 * 569);
    // Two scheduled runs that saw all of it (each would retrain if it reported drift: debounceRuns 1),
    // or the first drifted run, whichever comes first: a failure says which run cried wolf.
    const complete = await waitFor(
      'two monitor runs over all the scored rows, or a drifted one',
      async () => {
        const { runs } = await get<{ runs: MonitorRun[] }>('/monitors/default?limit=50');
        const drifted = runs.filter((r) => r.outcome === 'drift');
        const full = runs.filter((r) => r.rows === scored);
        return drifted.length > 0 ? drifted : full.length >= 2 ? full : undefined;
      },
      { timeoutMs: 180_000 },
    );

    for (const run of complete) {
      expect({ outcome: run.outcome, reasons: run.reasons }).toEqual({ outcome: 'ok', reasons: [] });
      const report = run.report!;
      expect(report.drifted).toBe(false);
      // The baseline is the training split (about 80% of 569 rows), not the 114-row holdout.
      expect(report.baselineRows).toBeGreaterThan(400);
      expect(report.multipleTesting).toEqual({ method: 'holm', tests: 31 });
      expect(report.features.every((f) => f.significance && !f.significance.significant)).toBe(true);
    }
    const { runs } = await get<{ runs: MonitorRun[] }>('/monitors/default?limit=50');
    expect(runs.filter((r) => r.outcome === 'drift')).toEqual([]);
    const { releases } = await get<{ releases: Release[] }>('/releases');
    expect(releases.map((r) => [r.id, r.trigger.kind])).toEqual([[first.id, first.trigger.kind]]);

    // What an operator sees: the CLI lists the runs as ok.
    const cli = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/autopilot.js'), 'monitors', 'list', 'default', '--json'], {
      env: { ...process.env, AUTOPILOT_URL: stack.api, AUTOPILOT_STATE_DIR: stack.stateDir },
    });
    const listed = JSON.parse(cli.stdout) as MonitorRun[];
    expect(listed.filter((r) => r.rows === scored).every((r) => r.outcome === 'ok')).toBe(true);
  });
});
