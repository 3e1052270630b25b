import { parseBlobCreated } from '../../../shared/events/blobCreated';
import { parseConfig } from '../../../shared/config/parseConfig';
import type { ModelSource, ScoreRequest, ScoreResponse } from '../../../shared/ports';
import type { EngineDeps } from '../../../shared/release/context';
import { ReleaseEngine } from '../../../shared/release/engine';
import { StepRunner } from '../../../shared/release/stepRunner';
import type { StepMessage } from '../../../shared/release/types';
import { FakeWorkspace, fakeRoles, MemoryDataStore, MemoryEvents, MemoryQueue, MemoryTable } from './fakes';

export function configText(concurrency = 'queue', extra = ''): string {
  return `version: 1
pipelines:
  default:
    data: { prefix: default/, minRows: 20 }
    training: { job: /specs/job.yaml }
    deployment: { spec: /specs/deployment.yaml }
    evaluation: { metric: auc, floor: 0.6, minImprovement: 0.01 }
    concurrency: ${concurrency}
    rollout:
      canarySteps: [10, 50, 100]
      bakeSeconds: 3
      staging: { smokeRequests: 5, shadowPercent: 0 }
${extra}`;
}

/** A CSV where `x > 0` predicts `yes`: a scorer using x gets AUC near 1. */
export function csv(rows = 60, seed = 1): string {
  const lines = ['x,color,label'];
  for (let i = 0; i < rows; i++) {
    const x = Math.sin(i * 12.9898 + seed) * 10;
    lines.push(`${x.toFixed(3)},${i % 2 ? 'red' : 'blue'},${x > 0 ? 'yes' : 'no'}`);
  }
  return lines.join('\n') + '\n';
}

export const goodScorer = (_source: ModelSource, request: ScoreRequest): ScoreResponse => {
  const x = request.input_data.columns.indexOf('x');
  const p = request.input_data.data.map((row) => (Number(row[x]) > 0 ? 0.9 : 0.1));
  return { predictions: p.map((v) => (v > 0.5 ? 'yes' : 'no')), probabilities: p.map((v) => [1 - v, v]), classes: ['no', 'yes'] };
};

export function harness(concurrency = 'queue', extra = '') {
  let now = new Date('2026-11-28T10:00:00Z');
  const workspaces = { dev: new FakeWorkspace('dev'), staging: new FakeWorkspace('staging'), prod: new FakeWorkspace('prod') };
  workspaces.dev.scorer = goodScorer;
  workspaces.prod.scorer = goodScorer;
  const deps: EngineDeps = {
    config: parseConfig(configText(concurrency, extra)),
    data: new MemoryDataStore(() => now),
    table: new MemoryTable(),
    steps: new MemoryQueue<StepMessage>(),
    workspaces: fakeRoles(workspaces),
    events: new MemoryEvents(),
    clock: { now: () => now },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  const engine = new ReleaseEngine(deps);
  const runner = new StepRunner(deps, engine);
  const queue = deps.steps as MemoryQueue<StepMessage>;
  const data = deps.data as MemoryDataStore;

  /** Delivers queued step messages until none is left, completing training jobs as they appear. */
  async function drain(options: { completeJobs?: boolean; jobStatus?: 'completed' | 'failed' } = {}) {
    for (let i = 0; i < 500; i++) {
      const message = queue.take();
      if (!message) return;
      now = new Date(now.getTime() + 1000);
      await runner.run(message);
      if (options.completeJobs !== false) {
        for (const job of workspaces.dev.jobs.values()) {
          if (job.status === 'running')
            workspaces.dev.finishJob(job.name, options.jobStatus ?? 'completed', 'exit code 3\nTraceback: boom');
        }
      }
    }
    throw new Error('drain did not settle');
  }

  async function upload(name: string, content: string) {
    const info = await data.write({ container: 'training-data', name }, content);
    return {
      id: `evt-${name}-${info.eTag}`,
      eventType: 'Microsoft.Storage.BlobCreated',
      subject: `/blobServices/default/containers/training-data/blobs/${name}`,
      eventTime: now.toISOString(),
      topic: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/devstoreaccount1',
      data: { api: 'PutBlob', eTag: info.eTag, contentLength: info.contentLength, url: info.url, blobType: 'BlockBlob' },
      dataVersion: '',
      metadataVersion: '1',
    };
  }

  return {
    deps,
    engine,
    runner,
    queue,
    data,
    workspaces,
    drain,
    upload,
    advance: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)),
  };
}

/** Drives the release until `stop` holds for the newest one (a job finishing each time one runs). */
export async function until(h: ReturnType<typeof harness>, stop: (stage: string) => boolean): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const newest = (await h.engine.repo.list())[0]!;
    if (stop(newest.stage)) return newest.id;
    const message = h.queue.take();
    if (!message) break;
    await h.runner.run(message);
    for (const job of h.workspaces.dev.jobs.values()) if (job.status === 'running') h.workspaces.dev.finishJob(job.name);
  }
  throw new Error('the release never got there');
}

export async function withChampion(concurrency = 'queue'): Promise<ReturnType<typeof harness>> {
  const h = harness(concurrency);
  await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv())));
  await h.drain();
  h.workspaces.prod.scorer = (_s, req) => ({
    predictions: req.input_data.data.map(() => 'no'),
    probabilities: req.input_data.data.map(() => [0.5, 0.5]),
    classes: ['no', 'yes'],
  });
  h.workspaces.prod.traffic = (names) =>
    Object.fromEntries(
      names.map((n) => [
        n,
        {
          requests: 200,
          errors: 0,
          synthetic: 200,
          slowerThan: [100, 2],
          predictions: { no: 140, yes: 60 },
          latencyP50Ms: 10,
          latencyP99Ms: 40,
        },
      ]),
    );
  return h;
}
