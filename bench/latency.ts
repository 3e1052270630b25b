import { generateCsv } from '../examples/tabular/generate';
import { waitFor, type BenchClient } from './client';
import { msSince } from './stats';

export interface TriggerSample {
  blob: string;
  /** Round trip of the upload through the blob port (the baseline). */
  uploadMs: number;
  /** From upload completion (t0) to the release record's createdAt. */
  releaseCreatedMs: number;
  /** From t0 to the release's `train` stage startedAt. */
  trainStageMs: number;
  /** From t0 to the training job's own startedAt (its process was spawned). */
  jobStartedMs: number;
  status: string;
}

export interface TriggerLatencyOptions {
  /** Measured uploads, after one unmeasured warm-up upload. @default 20 */
  uploads?: number;
  /** Rows per CSV; small, because only the time to start training matters here. @default 500 */
  rows?: number;
  /** Blob name prefix, which selects the pipeline. @default 'default/' */
  prefix?: string;
}

/**
 * Uploads distinct CSVs one after another and times upload -> training job started. Each
 * release is left to end before the next upload: the pipeline queues releases, and we want
 * the event -> job path, not the time spent waiting behind the previous release.
 */
export async function measureTriggerLatency(client: BenchClient, options: TriggerLatencyOptions = {}): Promise<TriggerSample[]> {
  const uploads = options.uploads ?? 20;
  const rows = options.rows ?? 500;
  const prefix = options.prefix ?? 'default/';
  const samples: TriggerSample[] = [];
  // Index 0 warms up the first-use paths (queue listeners, tsx's compile cache for train.ts).
  for (let i = 0; i <= uploads; i++) {
    const blob = `${prefix}latency-${String(i).padStart(2, '0')}.csv`;
    const { uploadMs, doneAt } = await client.upload(blob, generateCsv({ rows, seed: 1000 + i }));
    const release = await waitFor(`a release for ${blob}`, () => client.releaseOf(blob), { giveUpIf: client.stackGone });
    const jobStartedAt = await waitFor(`the training job of ${release.id} to start`, () => client.jobStartedAt(release.id), {
      intervalMs: 50,
      giveUpIf: client.stackGone,
    });
    const settled = await client.settledReleaseOf(blob);
    const sample: TriggerSample = {
      blob,
      uploadMs,
      releaseCreatedMs: msSince(doneAt, settled.createdAt)!,
      trainStageMs: msSince(doneAt, settled.stages.train?.startedAt) ?? NaN,
      jobStartedMs: msSince(doneAt, jobStartedAt)!,
      status: settled.status,
    };
    if (i > 0) samples.push(sample);
    process.stdout.write(
      `  ${blob}: job started ${sample.jobStartedMs} ms after upload (${settled.status})${i === 0 ? ' [warm-up]' : ''}\n`,
    );
  }
  return samples;
}
