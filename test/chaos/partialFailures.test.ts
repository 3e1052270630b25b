import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from '../support/waitFor';
import { generateCsv } from '../../examples/tabular/generate';
import type { Release, Stage } from '../../shared/release/types';
import { CrashableStack } from './crashableStack';

/**
 * A part of the stack dies while the rest goes on: Azurite killed in the middle of a
 * release (it comes back, and the release ends as if nothing happened), and the
 * candidate's scoring server killed during its canary (the release is promoted after the
 * server restarts, or rolled back for the errors; never failed or stuck, and prod answers).
 */
jest.setTimeout(600_000);

const ROOT = resolve(__dirname, '../..');
const ENDED = new Set(['succeeded', 'rejected', 'failed', 'rolled_back', 'cancelled']);
let stack: CrashableStack;
let container: ContainerClient;
let stateDir: string;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'autopilot-partial-'));
  stack = await CrashableStack.create(join(ROOT, 'test/fixtures/chaos/autopilot.yaml'), stateDir, { AUTOPILOT_LEASE_SECONDS: '20' });
  await stack.start();
  container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
  await container.createIfNotExists();
});
afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function upload(blob: string, seed: number): Promise<void> {
  const csv = generateCsv({ rows: 600, seed });
  await container.getBlockBlobClient(blob).upload(csv, csv.length);
}

async function reach(blob: string, stage: Stage): Promise<Release> {
  return waitFor(
    `release of ${blob} in ${stage}`,
    async () => {
      const release = (await stack.get<{ releases: Release[] }>('/releases')).releases.find((r) => r.data?.blob === blob);
      return release?.stage === stage && release.status === 'running' ? release : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 50 },
  );
}

async function ended(blob: string): Promise<Release> {
  return waitFor(
    `release of ${blob} to end`,
    async () => {
      // Storage may be down for a moment: a failed read is "not yet".
      const releases = await stack.get<{ releases: Release[] }>('/releases').catch(() => ({ releases: [] as Release[] }));
      const release = releases.releases.find((r) => r.data?.blob === blob);
      return release && ENDED.has(release.status) ? release : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 250 },
  );
}

describe('parts of the stack dying mid-release', () => {
  it('finishes a release whose Azurite was killed while it trained', async () => {
    await upload('default/azurite-killed.csv', 501);
    await reach('default/azurite-killed.csv', 'train');
    const azurite = stack.processes('azuriteProcess');
    expect(azurite).toHaveLength(1);
    process.kill(azurite[0]!, 'SIGKILL');
    const release = await ended('default/azurite-killed.csv');
    expect({ status: release.status, reason: release.reason }).toEqual({ status: 'succeeded', reason: undefined });
    expect(stack.processes('azuriteProcess')).toHaveLength(1);
  });

  it('ends a canary whose scoring server was killed as promoted or rolled back, with prod answering', async () => {
    // A canary needs a stable model in prod to compare with.
    await upload('default/champion.csv', 503);
    // Either way a stable model serves prod: this one, or the previous test's if the canary found their predictions
    // differ (two 600-row samples give models whose class shares can differ; the canary is right to refuse that).
    expect(['succeeded', 'rolled_back']).toContain((await ended('default/champion.csv')).status);
    await upload('default/server-killed.csv', 502);
    const release = await reach('default/server-killed.csv', 'canary');
    const version = String(release.model!.version);
    const servesCandidate = (env: Record<string, string>) =>
      /\/workspaces\/prod\/models\/default\/(\d+)\/files$/.exec(env['AZUREML_MODEL_DIR'] ?? '')?.[1] === version;
    const candidate = await waitFor(
      "the canary's scoring server",
      async () => {
        const pids = stack.processes('inference/server', servesCandidate);
        return pids.length > 0 ? pids : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 50 },
    );
    for (const pid of candidate) process.kill(pid, 'SIGKILL');
    const final = await ended('default/server-killed.csv');
    expect(`${final.status}: ${final.reason ?? ''}`).toMatch(/^(succeeded|rolled_back):/);
    const score = await fetch(`http://127.0.0.1:${stack.ports.endpoints}/endpoints/default-prod/score`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        input_data: {
          columns: ['tenure_months', 'monthly_charges', 'total_charges', 'support_calls', 'age', 'contract', 'payment_method', 'region'],
          data: [[3, 95.5, 286.5, 5, 29, 'month-to-month', 'electronic-check', 'north']],
        },
      }),
    });
    expect(score.status).toBe(200);
  });
});
