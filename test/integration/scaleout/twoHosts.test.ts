import type { Release } from '../../../shared/release/types';
import { settleAll, startScaleOut, stepsRunBy, uploadAll, uploadsFor, type ScaleOut } from './scaleOut';

jest.setTimeout(600_000);

const UPLOADS = 10; // two per pipeline: the second waits for the first (concurrency: queue)
let scale: ScaleOut;
let releases: Release[];

beforeAll(async () => {
  scale = await startScaleOut(2);
  const uploads = uploadsFor(UPLOADS);
  await uploadAll(scale, uploads);
  releases = await settleAll(
    scale,
    uploads.map((u) => u.blob),
    480_000,
  );
}, 600_000);

afterAll(async () => {
  await scale?.stop();
});

/** Accepted PUTs whose path ends with this, in the workspace given (a refused one changed nothing). */
function puts(workspace: string, suffix: string): number {
  return scale.cloud.arm.callsTo('PUT', suffix).filter((c) => c.path.includes(`/workspaces/${workspace}/`) && c.status < 300).length;
}
const acceptedPuts = (pattern: RegExp) => scale.cloud.arm.calls.filter((c) => c.method === 'PUT' && c.status < 300 && pattern.test(c.path));

describe('two hosts on one storage account and one Azure, as Azure Functions scales out', () => {
  it('ends every upload in one succeeded release, with steps run on both hosts', () => {
    expect(releases.map((r) => ({ blob: r.data!.blob, status: r.status, reason: r.reason }))).toEqual(
      releases.map((r) => ({ blob: r.data!.blob, status: 'succeeded', reason: undefined })),
    );
    expect(new Set(releases.map((r) => r.id)).size).toBe(UPLOADS);
    const steps = scale.logs.map(stepsRunBy);
    expect(steps.every((n) => n > 0)).toBe(true);
  });

  it('ran each step once: one training job, one model version, one share, one deployment per environment per release', () => {
    for (const release of releases) {
      const where = { release: release.id, pipeline: release.pipeline };
      expect({ ...where, jobs: scale.cloud.arm.callsTo('PUT', `/jobs/${release.job!.name}`).length }).toEqual({ ...where, jobs: 1 });
      const model = release.model!;
      expect({ ...where, versions: puts('mlw-dev', `/models/${model.name}/versions/${model.version}`) }).toEqual({ ...where, versions: 1 });
      const shared = scale.registry.imports.filter(
        (i) => i.destinationName === model.name && i.destinationVersion === String(model.version),
      );
      expect({ ...where, shares: shared.length }).toEqual({ ...where, shares: 1 });
      for (const env of ['dev', 'staging', 'prod'] as const) {
        const target = release.deployments[env]!;
        const count = puts(`mlw-${env}`, `/onlineEndpoints/${target.endpoint}/deployments/${target.deployment}`);
        expect({ ...where, env, deployments: count }).toEqual({ ...where, env, deployments: 1 });
      }
    }
    // Nothing else was trained or registered: no duplicate under another name either. Each job's
    // output was registered once more, as a version of the evaluation model, for the gate to score.
    expect(acceptedPuts(/\/jobs\/[^/]+$/)).toHaveLength(UPLOADS);
    expect(acceptedPuts(/\/workspaces\/mlw-dev\/models\/p\d\/versions\/[^/]+$/)).toHaveLength(UPLOADS);
    const evaluation = acceptedPuts(/\/workspaces\/mlw-dev\/models\/autopilot-evaluation\/versions\/[^/]+$/);
    expect(new Set(evaluation.map((c) => c.path)).size).toBe(UPLOADS);
    expect(evaluation).toHaveLength(UPLOADS);
  });

  it('left no step failing for good: nothing in the poison queue, no release ended by a conflict', async () => {
    const { QueueServiceClient } = await import('@azure/storage-queue');
    const poison = QueueServiceClient.fromConnectionString(scale.hosts[0]!.connectionString).getQueueClient('autopilot-steps-poison');
    const peeked = (await poison.exists()) ? (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems : [];
    expect(peeked.map((m) => m.messageText)).toEqual([]);
    expect(releases.filter((r) => /concurren|etag|conflict/i.test(r.reason ?? ''))).toEqual([]);
  });
});
