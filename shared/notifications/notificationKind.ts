import type { NotificationKind } from '../config/notificationsSchema';
import type { OutgoingEvent, OutgoingEventData, OutgoingEventType } from '../events/outgoing';

/**
 * What a webhook subscribes to, for every event type of the map (a new type must say whether
 * webhooks hear of it); `null`: none does.
 */
const KIND_OF_TYPE: { readonly [T in OutgoingEventType]: NotificationKind | ((data: OutgoingEventData<T>) => NotificationKind) | null } = {
  'autopilot.ReleaseQueued': 'started',
  'autopilot.ReleaseStageCompleted': 'stage_changed',
  'autopilot.ApprovalRequested': 'waiting_for_approval',
  'autopilot.ReleaseSucceeded': 'promoted',
  'autopilot.ReleaseRejected': 'rejected',
  'autopilot.ReleaseRolledBack': 'rolled_back',
  'autopilot.ReleaseFailed': 'failed',
  'autopilot.ReleaseCancelled': 'cancelled',
  'autopilot.DriftDetected': 'drift',
  // The monitor says which quality (shared/monitoring/runMonitor.ts `announce`).
  'autopilot.QualityDegraded': (data) => (data.outcome === 'data-quality' ? 'data_quality' : 'model_quality'),
  // Azure Monitor's action group already told whoever it notifies.
  'autopilot.AlertReceived': null,
};

/** Kinds that monitors raise on every run while a breach lasts: digested, not sent per run. */
export const BREACH_KINDS: readonly NotificationKind[] = ['drift', 'data_quality', 'model_quality'];

const SOURCE = /^\/autopilot\/pipelines\/([^/]+)$/;

/** What the event is to a webhook, and whose pipeline it is; undefined when no webhook is told about it. */
export function notificationKindOf(event: OutgoingEvent): { kind: NotificationKind; pipeline: string } | undefined {
  const pipeline = SOURCE.exec(event.source)?.[1];
  if (!pipeline) return undefined;
  const kind = kindOf(event);
  return kind ? { kind, pipeline } : undefined;
}

function kindOf(event: OutgoingEvent): NotificationKind | null {
  const kind = KIND_OF_TYPE[event.type];
  // The map pairs each type with a reader of that type's data; TypeScript cannot correlate the two.
  return typeof kind === 'function' ? (kind as (data: OutgoingEvent['data']) => NotificationKind)(event.data) : kind;
}
