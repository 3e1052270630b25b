import { BlobServiceClient } from '@azure/storage-blob';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MonitorRun } from '../../../shared/monitoring/runMonitor';
import type { Release } from '../../../shared/release/types';
import { predictionBinLabels } from '../../../shared/rollout/predictionBins';
import { waitFor, type TestStack } from './localStack';
import { openSignInLink, signInLink, startDashboardHarness, type DashboardHarness } from '../dashboard/browser';

// The sum of the deadlines below: each only bounds how long a failure takes on a loaded machine.
jest.setTimeout(900_000);

const ROOT = resolve(__dirname, '../../..');
/** The public diabetes data (442 rows, 10 numeric features, a continuous target 'progression'). */
const DIABETES = readFileSync(join(ROOT, 'test/fixtures/regression/diabetes.csv'), 'utf8');
const [HEADER, ...LINES] = DIABETES.trimEnd().split('\n');
const COLUMNS = HEADER!.split(',');
const TARGET = COLUMNS.indexOf('progression');
const FEATURES = COLUMNS.filter((_, i) => i !== TARGET);
let stack: TestStack;
let harness: DashboardHarness;

beforeAll(async () => {
  // The stack and a headless Chromium: the dashboard shows the regression verdict at the end.
  harness = await startDashboardHarness(join(ROOT, 'test/fixtures/e2e/regression.yaml'));
  stack = harness.stack;
});

afterAll(async () => {
  await harness?.stop();
});

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.api}${path}`, { headers: { authorization: `Bearer ${stack.token()}` } });
  return (await response.json()) as T;
}

async function upload(name: string, lines: string[]): Promise<void> {
  const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
  await container.createIfNotExists();
  const text = [HEADER, ...lines].join('\n') + '\n';
  await container.getBlockBlobClient(`diabetes/${name}`).upload(text, Buffer.byteLength(text));
}

const ended = (r: Release) => ['succeeded', 'failed', 'rejected', 'rolled_back', 'cancelled'].includes(r.status);

async function releaseFor(blob: string): Promise<Release> {
  return waitFor(
    `the release of ${blob} to end`,
    async () => {
      const { releases } = await get<{ releases: Release[] }>('/releases');
      const release = releases.find((r) => r.data?.blob === `diabetes/${blob}`);
      return release && ended(release) ? release : undefined;
    },
    { timeoutMs: 300_000 },
  );
}

/** Prod traffic: rows as a client sends them, `shift` added to bmi and s5 (drift). Returns the answers. */
async function score(rows: string[], shift = 0): Promise<unknown[]> {
  const data = rows.map((line) =>
    line
      .split(',')
      .filter((_, i) => i !== TARGET)
      .map((v, j) => Number(v) + (FEATURES[j] === 'bmi' ? 10 * shift : FEATURES[j] === 's5' ? shift : 0)),
  );
  const response = await fetch(`${stack.endpoints}/diabetes-prod/score`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input_data: { columns: FEATURES, data } }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { predictions: unknown[] }).predictions;
}

describe('a regression pipeline on the embedded stack', () => {
  it('trains, gates on rmse, serves numbers, canaries a second model, and retrains once on drifted traffic', async () => {
    await upload('first.csv', LINES.slice(0, 300));
    const first = await releaseFor('first.csv');
    expect({ status: first.status, reason: first.reason }).toEqual({ status: 'succeeded', reason: undefined });
    expect(first.stages.validate?.detail).toMatch(/300 rows, 10 features, target from \d+ to \d+; \d+ held out/);
    expect(first.gate).toMatchObject({ metric: 'rmse', passed: true });
    expect(first.metrics.candidate).toEqual(
      expect.objectContaining({ rmse: expect.any(Number), mae: expect.any(Number), r2: expect.any(Number) }),
    );
    expect(first.metrics.training).toEqual(expect.objectContaining({ train_rmse: expect.any(Number), train_r2: expect.any(Number) }));
    const answers = await score(LINES.slice(300, 310));
    expect(answers).toHaveLength(10);
    for (const p of answers) expect(typeof p === 'number' && Number.isFinite(p)).toBe(true);

    // The second model: all 442 rows; compared with the first on the shared holdout, shadowed
    // in staging within the tolerance, then a canary on binned predictions.
    await upload('second.csv', LINES);
    const second = await releaseFor('second.csv');
    expect({ status: second.status, reason: second.reason }).toEqual({ status: 'succeeded', reason: undefined });
    expect(second.gate?.comparison?.test).toMatch(/paired bootstrap/);
    expect(second.stages.deploy_staging?.detail).toMatch(/agreement with prod \(within 0\.25 sd of the target\)|judged on smoke tests/);
    expect(second.canary?.predictionBins).toHaveLength(2);
    expect(second.canary?.looks.length).toBeGreaterThan(0);
    // Each prediction bin is a metric of the sequential test, beside errors and latency.
    const ids = second.canary!.looks.at(-1)!.metrics.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining(['errors', ...predictionBinLabels(second.canary!.predictionBins!).map((l) => `class:${l}`)]),
    );

    // Drifted traffic (bmi and s5 shifted): a monitor run reports drift and starts one retraining release.
    let sending = true;
    const traffic = (async () => {
      while (sending) for (let i = 0; i < LINES.length; i += 50) await score(LINES.slice(i, i + 50), 1);
    })();
    try {
      // The run that started the retrain (waiting for the run, not the release: the release is visible first).
      const run = await waitFor(
        'a drifted monitor run that starts a retraining release',
        async () => {
          const { runs } = await get<{ runs: MonitorRun[] }>('/monitors/diabetes?limit=50');
          return runs.find((r) => r.outcome === 'drift' && r.retrain && 'releaseId' in r.retrain);
        },
        { timeoutMs: 180_000 },
      );
      const { releases: all } = await get<{ releases: Release[] }>('/releases');
      const retrain = all.find((r) => r.trigger.kind === 'drift');
      expect(retrain && run.retrain && 'releaseId' in run.retrain && run.retrain.releaseId).toBe(retrain?.id);
      const drifted = [run];
      const prediction = drifted[0]!.report!.prediction;
      expect(prediction?.type).toBe('numeric');
      expect(drifted[0]!.report!.reasons.join('\n')).toMatch(/bmi|s5/);
    } finally {
      sending = false;
      await traffic;
    }
    const { releases } = await get<{ releases: Release[] }>('/releases');
    expect(releases.filter((r) => r.trigger.kind === 'drift')).toHaveLength(1);

    // What an ML engineer sees on the second release's page: rmse as the gate metric, lower is better.
    const { page } = harness;
    await openSignInLink(page, await signInLink(stack, 'reader'));
    await page.goto(`${stack.api}/dashboard/#/releases/${second.id}`);
    await page.waitForSelector('[data-testid="gate-test"]', { timeout: 30_000 });
    const gate = await page.textContent('[data-testid="gate"]');
    expect(gate).toMatch(/rmse \(gate\) lower is better/);
    expect(gate).toMatch(/r2 higher is better/);
    expect(await page.textContent('[data-testid="gate-test"]')).toMatch(/Improvement \(champion − candidate rmse, better > 0\)/);
  });
});
