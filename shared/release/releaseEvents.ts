import { outgoingEvent, type OutgoingEventData, type OutgoingEventOf } from '../events/outgoing';
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

type ReleaseEventType<N extends ReleaseEventName> = `autopilot.${N}`;
/** What an event of `name` carries beyond the release's own fields (e.g. `completedStage`, `timeoutMinutes`). */
export type ReleaseEventExtra<N extends ReleaseEventName> = Omit<OutgoingEventData<ReleaseEventType<N>>, keyof ReleaseFields>;
type ReleaseFields = ReturnType<typeof releaseFields>;

/** The CloudEvent the service publishes about a release; ids are stable so redelivery dedupes. */
export function releaseEvent<N extends ReleaseEventName>(
  name: N,
  release: Release,
  now: Date,
  ...[extra]: Partial<ReleaseEventExtra<N>> extends ReleaseEventExtra<N> ? [extra?: ReleaseEventExtra<N>] : [extra: ReleaseEventExtra<N>]
): OutgoingEventOf<ReleaseEventType<N>> {
  const type: ReleaseEventType<N> = `autopilot.${name}`;
  // The release's fields plus exactly the extras its type asks for; TypeScript cannot see that a
  // generic spread of `Omit<Data, keyof ReleaseFields>` over ReleaseFields gives back Data.
  const data = { ...releaseFields(release), ...extra } as OutgoingEventData<ReleaseEventType<N>>;
  return outgoingEvent(
    type,
    {
      id: `${release.id}:${name}:${release.stage}`,
      source: `/autopilot/pipelines/${release.pipeline}`,
      subject: `releases/${release.id}`,
      time: now.toISOString(),
    },
    data,
  ) as OutgoingEventOf<ReleaseEventType<N>>;
}

function releaseFields(release: Release) {
  return {
    releaseId: release.id,
    pipeline: release.pipeline,
    status: release.status,
    stage: release.stage,
    model: release.model,
    reason: release.reason,
    // Lets consumers (telemetry's release duration, webhooks) time the release without reading it back.
    createdAt: release.createdAt,
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
