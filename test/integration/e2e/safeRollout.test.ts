import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { generateCsv } from '../../../examples/tabular/generate';
import type { EndpointInfo } from '../../../shared/ports';
import type { ReleaseReport } from '../../../shared/release/report';
import type { Release } from '../../../shared/release/types';
import { startTestStack, waitFor, type TestStack } from './localStack';

jest.setTimeout(600_000);

const ROOT = resolve(__dirname, '../../..');
let stack: TestStack;
let container: ContainerClient;

beforeAll(async () => {
  stack = await startTestStack({ config: join(ROOT, 'test/fixtures/e2e/rollout.yaml') });
  container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
  await container.createIfNotExists();
});

afterAll(async () => {
  await stack?.stop();
});

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.api}${path}`, { headers: { authorization: `Bearer ${stack.token()}` } });
  return (await response.json()) as T;
}

async function releaseOf(blob: string): Promise<Release | undefined> {
  return (await get<{ releases: Release[] }>('/releases')).releases.find((r) => r.data?.blob === blob);
}

async function settle(blob: string, content: string): Promise<Release> {
  await container.getBlockBlobClient(blob).upload(content, Buffer.byteLength(content));
  return waitFor(
    `release of ${blob}`,
    async () => {
      const release = await releaseOf(blob);
      return release && !['queued', 'running'].includes(release.status) ? release : undefined;
    },
    { timeoutMs: 300_000 },
  );
}

async function prod(): Promise<EndpointInfo> {
  return (await get<{ endpoints: EndpointInfo[] }>('/endpoints')).endpoints.find((e) => e.name === 'default-prod')!;
}

/** The same data with the label flipped: a realistic upstream bug that yields a skewed model. */
function flipped(text: string): string {
  const [header, ...rows] = text.trimEnd().split('\n');
  return [header, ...rows.map((r) => r.replace(/,(0|1)$/, (_m, l: string) => `,${l === '0' ? 1 : 0}`))].join('\n') + '\n';
}

describe('safe rollout on the embedded stack', () => {
  it('promotes a good model through staging tests and an analysed canary', async () => {
    expect((await settle('default/v1.csv', generateCsv({ rows: 1500, seed: 21 }))).status).toBe('succeeded');
    const release = await settle('default/v2.csv', generateCsv({ rows: 1500, seed: 22 }));
    expect({ status: release.status, reason: release.reason }).toEqual({ status: 'succeeded', reason: undefined });
    expect(release.staging?.smoke).toMatchObject({ errors: 0 });
    expect(release.staging?.shadow?.compared).toBeGreaterThan(0);
    expect(release.canary?.verdict).toBe('pass');
    expect(release.stages.canary?.detail).toMatch(/candidate at 100% of prod/);
    // Every look on the router's real counts is kept: cumulative counts that never shrink, the last one the pass.
    const looks = release.canary!.looks;
    expect(looks.length).toBeGreaterThan(0);
    expect(looks.at(-1)!.verdict).toBe('pass');
    expect(looks.every((l, i) => i === 0 || (l.canary.requests >= looks[i - 1]!.canary.requests && l.since > looks[i - 1]!.since))).toBe(
      true,
    );
    expect(looks.at(-1)!.metrics.map((m) => m.id)).toEqual(expect.arrayContaining(['errors', 'latencyP50', 'latencyP99']));
    const { report } = await get<{ report: ReleaseReport }>(`/releases/${release.id}/report`);
    // An interval without traffic leaves the cursor where it was, so the next look replaces its look: kept <= taken.
    expect(report.canary!.looks).toBeGreaterThanOrEqual(looks.length);
    expect(report.canary).toMatchObject({
      verdict: 'pass',
      looksKept: looks.length,
      test: { alpha: expect.any(Number), power: expect.any(Number) },
      arms: { canary: looks.at(-1)!.canary },
    });
    expect((await prod()).traffic).toEqual({ v002: 100, v001: 0 });
  });

  it('rolls back a model with skewed predictions without anyone acting', async () => {
    const release = await settle('default/v3.csv', flipped(generateCsv({ rows: 1500, seed: 23 })));
    expect(release.gate?.passed).toBe(true); // the gate judges on equally flipped holdout rows
    expect({ status: release.status, reason: release.reason }).toMatchObject({
      status: 'rolled_back',
      reason: expect.stringMatching(/^canary analysis at (10|50)%/),
    });
    // Caught before full traffic: at 10 % unless a loaded machine sent too few requests in the step's 3 s bake to tell yet
    // (an intermediate step advances on the absence of a regression), then at 50 %.
    const step = Number(/^canary analysis at (\d+)%/.exec(release.reason ?? '')![1]);
    expect(release.canary!.looks.at(-1)).toMatchObject({
      verdict: 'rollback',
      weight: step,
      metrics: expect.arrayContaining([expect.objectContaining({ id: expect.stringMatching(/^class:/), rejected: true })]),
    });
    expect((await prod()).traffic).toEqual({ v002: 100, v001: 0 });
    expect((await prod()).deployments.map((d) => d.name).sort()).toEqual(['v001', 'v002']);
  });

  it('rolls a canary back at once when Azure Monitor fires an alert on the endpoint, and acts once', async () => {
    const blob = 'default/v4.csv';
    // Everything but the release id is ready before the upload: the alert must land while the
    // canary runs (at least 3 steps x 3 s of bake), so nothing slow sits between seeing it and posting.
    const alert = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/alerts/metric-fired.json'), 'utf8')) as {
      data: { essentials: { alertTargetIDs: string[]; configurationItems: string[]; alertId: string } };
    };
    alert.data.essentials.alertTargetIDs = [(await prod()).id.toUpperCase()];
    alert.data.essentials.configurationItems = [];
    const key = (JSON.parse(readFileSync(join(stack.stateDir, 'host-keys.json'), 'utf8')) as { functionKeys: { default: string } })
      .functionKeys.default;
    const post = () =>
      fetch(`${stack.api}/alerts?code=${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alert),
      });
    const forged = await fetch(`${stack.api}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alert),
    });
    expect(forged.status).toBe(401);

    const content = generateCsv({ rows: 1500, seed: 24 });
    await container.getBlockBlobClient(blob).upload(content, Buffer.byteLength(content));
    const inCanary = await waitFor(
      'the canary of v4',
      async () => {
        const release = await releaseOf(blob);
        return release?.stage === 'canary' && release.canary ? release : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 50 },
    );
    alert.data.essentials.alertId = `/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/${inCanary.id}`;
    const first = (await (await post()).json()) as { outcome: string };
    const second = (await (await post()).json()) as { outcome: string };
    expect([first.outcome, second.outcome]).toEqual(['rolled_back', 'duplicate']);
    const release = (await releaseOf(blob))!;
    expect(release.status).toBe('rolled_back');
    expect(release.rollback?.by).toMatch(/^azure-monitor:/);
    expect((await prod()).traffic).toEqual({ v002: 100, v001: 0 });
  });

  it('rolls prod back to the previous model from the CLI, audited', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'bin/autopilot.js'), 'rollback', 'default', '--reason', 'users report odd scores', '--json'],
      {
        env: { ...process.env, AUTOPILOT_URL: stack.api, AUTOPILOT_STATE_DIR: stack.stateDir },
      },
    );
    expect(JSON.parse(stdout)).toMatchObject({ endpoint: 'default-prod', from: 'v002', to: 'v001' });
    expect((await prod()).traffic).toEqual({ v001: 100, v002: 0 });
    const v2 = (await releaseOf('default/v2.csv'))!;
    expect(v2).toMatchObject({ status: 'rolled_back', rollback: { by: 'local-ml-engineer', why: 'users report odd scores' } });
  });
});
