import { ensureError, NotFoundError } from '../errors';
import { claimOnce, releaseClaim } from '../delivery/claimOnce';
import type { AmlEvent } from '../events/amlEvents';
import type { Clock, Logger, StateTable } from '../ports';

/** Partition of the state table holding one row per Azure ML event received. */
export const AML_EVENT_PARTITION = 'amlevent';

/** Re-driving a release now: what the Azure ML event reaction needs of the release control (ReleaseControl implements it). */
export interface ReleaseNudge {
  /** Re-drives the release's current stage now, so the train stage sees a finished job at once. */
  nudge(releaseId: string): Promise<void>;
}

export interface AmlEventDeps {
  table: StateTable;
  releases: ReleaseNudge;
  /** Azure ML's dataset drift monitor fired: feeds our retraining policy. @default ignored */
  onDatasetDrift?(monitorName: string | undefined, reason: string): Promise<void>;
  clock: Clock;
  logger: Logger;
}

export interface AmlEventRecord {
  id: string;
  type: string;
  subject: string;
  time: string;
  receivedAt: string;
  /** `pending` while being acted on; `failed` lets a redelivery act again. */
  outcome: 'nudged' | 'recorded' | 'pending' | 'failed';
  /** Why a finished run of a release did not nudge it. */
  reason?: string;
  releaseId?: string;
  /** The run's status for run events. */
  status?: string;
  data: Record<string, unknown>;
  /** Set on the answer to a redelivery: nothing was done again. */
  duplicate?: true;
}

/** Run statuses after which the job will not change any more. */
const FINISHED = new Set(['completed', 'failed', 'canceled', 'cancelled']);
/** Tag the train stage puts on its job; the job name `<releaseId>-train` is the fallback. */
const RELEASE_TAG = 'autopilot.release';
const TRAIN_JOB = /^(.+)-train$/;

/** The release a run belongs to, when it is one of our training jobs. */
export function releaseOfRun(runId: string, runTags: Record<string, string>): string | undefined {
  return runTags[RELEASE_TAG] || TRAIN_JOB.exec(runId)?.[1];
}

/**
 * Reacts to one Azure ML event: a training run of a release that finished (completed,
 * failed or cancelled) nudges that release, so its train stage records the outcome —
 * with the job's error — without waiting for its next poll; dataset drift goes to the
 * retraining policy. Each event acts once: its row in partition `amlevent` (keyed by event
 * id) is claimed first, so a redelivery or a replay hours later does nothing again, while
 * a delivery whose action failed is acted on by Event Grid's retry.
 */
export async function reactToAmlEvent(event: AmlEvent, deps: AmlEventDeps): Promise<AmlEventRecord> {
  const row = encodeURIComponent(event.id);
  const base: AmlEventRecord = {
    id: event.id,
    type: event.type,
    subject: event.subject,
    time: event.time,
    receivedAt: deps.clock.now().toISOString(),
    outcome: 'pending',
    data: event.data as Record<string, unknown>,
  };
  const claimed = await claimOnce(deps.table, AML_EVENT_PARTITION, row, base, 60);
  if (claimed.kind === 'duplicate') {
    deps.logger.info(`${event.type} ${event.subject}: already received (event ${event.id}); not acting again`, { eventId: event.id });
    return { ...claimed.record, duplicate: true };
  }
  let record: AmlEventRecord;
  try {
    record = await act(event, deps, base);
  } catch (error) {
    await releaseClaim(deps.table, AML_EVENT_PARTITION, row, claimed, ensureError(error).message);
    throw error;
  }
  await deps.table.replace(AML_EVENT_PARTITION, row, record, claimed.etag);
  deps.logger.info(
    `${event.type} ${event.subject}: ${record.outcome === 'nudged' ? `nudged release ${record.releaseId} (run ${record.status})` : `recorded${record.reason ? ` (${record.reason})` : ''}`}`,
    { eventId: event.id, releaseId: record.releaseId, status: record.status },
  );
  return record;
}

async function act(event: AmlEvent, deps: AmlEventDeps, base: AmlEventRecord): Promise<AmlEventRecord> {
  let releaseId: string | undefined;
  let status: string | undefined;
  if (
    event.type === 'Microsoft.MachineLearningServices.RunCompleted' ||
    event.type === 'Microsoft.MachineLearningServices.RunStatusChanged'
  ) {
    status = event.type === 'Microsoft.MachineLearningServices.RunCompleted' ? 'Completed' : event.data.runStatus;
    releaseId = releaseOfRun(event.data.runId, event.data.runTags);
  }
  if (event.type === 'Microsoft.MachineLearningServices.DatasetDriftDetected') {
    await deps.onDatasetDrift?.(
      event.data.dataDriftName ?? undefined,
      `Azure ML dataset drift monitor ${event.data.dataDriftName ?? '(unnamed)'}: drift coefficient ${event.data.driftCoefficient}`,
    );
  }
  let nudge = releaseId !== undefined && status !== undefined && FINISHED.has(status.toLowerCase());
  let reason: string | undefined;
  if (nudge) {
    try {
      await deps.releases.nudge(releaseId!);
    } catch (error) {
      // A run named like ours that is no release of ours: nothing to drive, nothing to retry.
      if (!(error instanceof NotFoundError)) throw error;
      nudge = false;
      reason = error.message;
    }
  }
  return { ...base, outcome: nudge ? 'nudged' : 'recorded', reason, releaseId, status };
}
