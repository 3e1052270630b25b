import { generateCsv } from '../examples/tabular/generate';
import { STAGES, type Stage } from '../shared/release/types';
import type { BenchClient } from './client';
import { msSince } from './stats';

export interface ReleaseWallTime {
  rows: number;
  bytes: number;
  uploadMs: number;
  status: string;
  reason?: string;
  /** Upload completion (t0) -> release endedAt. */
  wallMs: number;
  /** t0 -> validate stage start: event delivery and release creation. */
  triggerMs: number;
  stages: { stage: Stage; ms: number; detail?: string }[];
  /** The training process alone, as the job record says. */
  jobMs?: number;
  auc?: number;
}

/** Uploads one example dataset to a pipeline of its own and times the whole release. */
export async function measureReleaseWallTime(client: BenchClient, prefix: string, rows: number): Promise<ReleaseWallTime> {
  return measureReleaseOf(client, `${prefix}wall-${rows}.csv`, generateCsv({ rows, seed: 7 }));
}

/** Uploads `csv` as `blob` and times its release, stage by stage. */
export async function measureReleaseOf(client: BenchClient, blob: string, csv: string): Promise<ReleaseWallTime> {
  const rows = csv.trimEnd().split('\n').length - 1;
  const { uploadMs, doneAt } = await client.upload(blob, csv);
  const release = await client.settledReleaseOf(blob, 240_000);
  const stages = STAGES.flatMap((stage) => {
    const record = release.stages[stage];
    if (!record?.startedAt || !record.endedAt) return [];
    return [{ stage, ms: Date.parse(record.endedAt) - Date.parse(record.startedAt), ...(record.detail ? { detail: record.detail } : {}) }];
  });
  return {
    rows,
    bytes: Buffer.byteLength(csv),
    uploadMs,
    status: release.status,
    ...(release.reason ? { reason: release.reason } : {}),
    wallMs: msSince(doneAt, release.endedAt ?? release.updatedAt)!,
    triggerMs: msSince(doneAt, release.stages.validate?.startedAt) ?? NaN,
    stages,
    ...(release.job?.durationMs !== undefined ? { jobMs: release.job.durationMs } : {}),
    ...(release.metrics.candidate?.['auc'] !== undefined ? { auc: release.metrics.candidate['auc'] } : {}),
  };
}
