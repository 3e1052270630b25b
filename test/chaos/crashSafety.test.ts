import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from '../support/waitFor';
import { generateCsv } from '../../examples/tabular/generate';
import { mulberry32 } from '../../shared/data/split';
import type { Release, Stage } from '../../shared/release/types';
import { CrashableStack } from './crashableStack';
import { writeChaosReport, type TrialResult } from './chaosReport';

/**
 * Fault injection: the embedded stack is SIGKILLed (the whole process group, no stop
 * hook) at a seeded moment of each release — in every stage, training and evaluation
 * included — and started again on the same state. Afterwards every upload has exactly
 * one release, ended as the data and the models decide (never `failed` or stuck because
 * of the crash), with one training job and at most one model version, and no process of
 * a killed stack is left running. `npm test` runs a few trials; `npm run test:chaos` 50+.
 */
const TRIALS = Number(process.env['CHAOS_TRIALS'] ?? 3);
const SEED = Number(process.env['CHAOS_SEED'] ?? 7);
jest.setTimeout(TRIALS * 240_000 + 120_000);

const ROOT = resolve(__dirname, '../..');
const TARGETS: Stage[] = ['validate', 'train', 'evaluate', 'register', 'deploy_dev', 'deploy_staging', 'canary', 'promote'];
const ENDED = new Set(['succeeded', 'rejected', 'failed', 'rolled_back', 'cancelled']);

let stack: CrashableStack;
let container: ContainerClient;
let stateDir: string;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'autopilot-chaos-'));
  // A short lease: a killed stage is re-driven within ~35 s (lease + sweeper tick) instead of ~2 min.
  stack = await CrashableStack.create(join(ROOT, 'test/fixtures/chaos/autopilot.yaml'), stateDir, { AUTOPILOT_LEASE_SECONDS: '20' });
  await stack.start();
  container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
  await container.createIfNotExists();
});

afterAll(async () => {
  await stack?.stop();
  for (const orphan of stack?.orphans() ?? []) process.kill(orphan.pid, 'SIGKILL');
  rmSync(stateDir, { recursive: true, force: true });
});

async function releaseOf(blob: string): Promise<Release[]> {
  return (await stack.get<{ releases: Release[] }>('/releases')).releases.filter((r) => r.data?.blob === blob);
}

describe('crash safety of the embedded stack', () => {
  it(`loses nothing when killed at ${TRIALS} seeded moments across every stage`, async () => {
    const rng = mulberry32(SEED);
    const results: TrialResult[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const target = TARGETS[trial % TARGETS.length]!;
      const blob = `default/trial-${SEED}-${trial}.csv`;
      const csv = generateCsv({ rows: 600, seed: SEED * 1000 + trial });
      await container.getBlockBlobClient(blob).upload(csv, csv.length);
      // Kill once the release is in the target stage (or has gone past it), a seeded moment later.
      const seen = await waitFor(
        `release of ${blob} to reach ${target}`,
        async () => {
          const [release] = await releaseOf(blob);
          if (!release) return undefined;
          const reached = release.stage === target || TARGETS.indexOf(release.stage) > TARGETS.indexOf(target) || ENDED.has(release.status);
          return reached ? release : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 25 },
      );
      await new Promise((r) => setTimeout(r, Math.floor(rng() * 400)));
      const killedIn = (await releaseOf(blob))[0]?.stage ?? seen.stage;
      await stack.kill();
      const restartedAt = performance.now();
      await stack.start();
      const ended = await waitFor(
        `release of ${blob} to end after the restart`,
        async () => {
          const releases = await releaseOf(blob);
          return releases.length > 0 && releases.every((r) => ENDED.has(r.status)) ? releases : undefined;
        },
        { timeoutMs: 240_000, intervalMs: 200 },
      ).catch(async (error: Error) => {
        const state = JSON.stringify(await releaseOf(blob).catch(() => []), null, 1).slice(0, 3000);
        throw new Error(`${error.message} (trial ${trial}, killed in ${killedIn})\nrelease: ${state}\nstack:\n${stack.tail()}`);
      });
      const recoverySeconds = Math.round((performance.now() - restartedAt) / 100) / 10;
      results.push({
        trial,
        target,
        killedIn,
        releases: ended.length,
        status: ended[0]!.status,
        reason: ended[0]!.reason ?? '',
        recoverySeconds,
      });
    }

    const jobs = readdirSync(join(stateDir, 'workspaces/dev/jobs'));
    const { models } = await stack.get<{ models: { environment: string; tags: Record<string, string> }[] }>('/models');
    const releases = (await stack.get<{ releases: Release[] }>('/releases?limit=1000')).releases;
    const problems = results.flatMap((r) => {
      const out: string[] = [];
      if (r.releases !== 1) out.push(`trial ${r.trial}: ${r.releases} releases for one upload`);
      if (r.status === 'failed' || r.status === 'cancelled')
        out.push(`trial ${r.trial} (killed in ${r.killedIn}): ${r.status}: ${r.reason}`);
      return out;
    });
    for (const release of releases) {
      const ownJobs = jobs.filter((j) => j.startsWith(`${release.id}-`));
      if (ownJobs.length > 1) problems.push(`${release.id}: ${ownJobs.length} jobs (${ownJobs.join(', ')})`);
      const versions = models.filter((m) => m.environment === 'dev' && m.tags['autopilot.release'] === release.id);
      if (versions.length > 1) problems.push(`${release.id}: ${versions.length} model versions in dev`);
    }
    const orphans = stack.orphans();
    writeChaosReport('crash-safety', { seed: SEED, trials: results, orphans: orphans.length, problems });
    expect(orphans).toEqual([]);
    expect(problems).toEqual([]);
    // Nothing is stuck: the pipeline's slot is free for the next upload.
    const next = 'default/after-chaos.csv';
    const csv = generateCsv({ rows: 300, seed: 99 });
    await container.getBlockBlobClient(next).upload(csv, csv.length);
    const after = await waitFor(
      'a release after the chaos to end',
      async () => {
        const [release] = await releaseOf(next);
        return release && ENDED.has(release.status) ? release : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 200 },
    );
    expect(['succeeded', 'rejected', 'rolled_back']).toContain(after.status);
  });
});
