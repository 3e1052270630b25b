import type { OutgoingEvent } from '../ports';
import type { Release } from './types';

export type ReleaseEventName =
  | 'ReleaseQueued'
  | 'ReleaseStageCompleted'
  | 'ReleaseSucceeded'
  | 'ReleaseRejected'
  | 'ReleaseFailed'
  | 'ReleaseCancelled'
  | 'ReleaseRolledBack'
  | 'ApprovalRequested';

/** The CloudEvent the service publishes about a release; ids are stable so redelivery dedupes. */
export function releaseEvent(name: ReleaseEventName, release: Release, now: Date, extra: Record<string, unknown> = {}): OutgoingEvent {
  return {
    id: `${release.id}:${name}:${release.stage}`,
    type: `autopilot.${name}`,
    source: `/autopilot/pipelines/${release.pipeline}`,
    subject: `releases/${release.id}`,
    time: now.toISOString(),
    data: {
      releaseId: release.id,
      pipeline: release.pipeline,
      status: release.status,
      stage: release.stage,
      model: release.model,
      reason: release.reason,
      // Lets consumers (telemetry's release duration, webhooks) time the release without reading it back.
      createdAt: release.createdAt,
      ...extra,
    },
  };
}

export function terminalEventName(status: Release['status']): ReleaseEventName | undefined {
  switch (status) {
    case 'succeeded':
      return 'ReleaseSucceeded';
    case 'rejected':
      return 'ReleaseRejected';
    case 'failed':
      return 'ReleaseFailed';
    case 'cancelled':
      return 'ReleaseCancelled';
    case 'rolled_back':
      return 'ReleaseRolledBack';
    default:
      return undefined;
  }
}
