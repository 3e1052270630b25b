import { STAGES, type Stage, type StageRecord } from '../../shared/release/types';
import type { ReleaseView } from '../apiSchemas';
import { elapsedMs, formatDuration } from './duration';
import { formatModel } from './modelRef';

export const STAGE_MARKS: Record<StageRecord['status'], string> = {
  succeeded: '✓',
  failed: '✗',
  running: '…',
  pending: '·',
  skipped: '–',
};

const STATUS_MARKS: Record<string, string> = {
  queued: '·',
  running: '…',
  succeeded: '✓',
  rejected: '⊘',
  failed: '✗',
  rolled_back: '↺',
  cancelled: '–',
};

const STAGE_COLUMN = Math.max(...STAGES.map((s) => s.length));

/** "  train           ✓ 4.1 s   job completed": one stage of a release, as status shows it. */
export function formatStageLine(stage: Stage, record: StageRecord | undefined, now: Date): string {
  const status = record?.status ?? 'pending';
  const duration = record && status !== 'pending' ? elapsedMs(record.startedAt, record.endedAt, now) : undefined;
  const cells = [
    `  ${stage.padEnd(STAGE_COLUMN)}`,
    STAGE_MARKS[status],
    duration === undefined ? ''.padEnd(7) : formatDuration(duration).padEnd(7),
    record?.detail ?? (status === 'pending' || status === 'running' ? '' : status),
  ];
  return cells.join(' ').trimEnd();
}

/** Every stage in walking order; stages the release never reached show as pending. */
export function formatStageLines(release: ReleaseView, now: Date): string[] {
  return STAGES.map((stage) => formatStageLine(stage, shownStageRecord(release, stage), now));
}

/**
 * A stage as the CLI shows it. A rejection is the gate's verdict, not a failure: the stage
 * that rejected succeeded and the release ended `rejected`. Records stored before the engine
 * said so mark that stage failed; they are shown as they are recorded now.
 */
export function shownStageRecord(release: ReleaseView, stage: Stage): StageRecord | undefined {
  const record = release.stages[stage];
  if (!record || release.status !== 'rejected' || stage !== release.stage || record.status !== 'failed') return record;
  const detail = record.detail ?? release.reason;
  return { ...record, status: 'succeeded', ...(detail ? { detail: detail.startsWith('rejected') ? detail : `rejected: ${detail}` } : {}) };
}

/** "default  r-123  ✓ succeeded  4m 02s  model default v3  data default/day1.csv" */
export function formatReleaseHeader(release: ReleaseView, now: Date): string {
  const elapsed = elapsedMs(release.createdAt, release.endedAt, now);
  const parts = [
    release.pipeline,
    release.id,
    `${STATUS_MARKS[release.status] ?? '?'} ${release.status}`,
    release.status === 'running' || release.status === 'queued' ? `at ${release.stage}` : '',
    elapsed === undefined ? '' : formatDuration(elapsed),
    release.model ? `model ${formatModel(release.model)}` : '',
    release.data ? `data ${release.data.blob}` : '',
  ];
  return parts.filter(Boolean).join('  ');
}

/** Header, stage lines and the reason: the block `status` redraws for each release. */
export function formatReleaseBlock(release: ReleaseView, now: Date): string[] {
  const lines = [formatReleaseHeader(release, now), ...formatStageLines(release, now)];
  if (release.reason) lines.push(`  reason: ${release.reason}`);
  return lines;
}

export function statusMark(status: string): string {
  return STATUS_MARKS[status] ?? '?';
}
