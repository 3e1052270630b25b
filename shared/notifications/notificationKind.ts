import type { NotificationKind } from '../config/notificationsSchema';
import type { OutgoingEvent } from '../ports';

/** One map from the CloudEvent type we publish to what a webhook subscribes to. */
const KIND_OF_TYPE: Readonly<Record<string, NotificationKind>> = {
  'autopilot.ReleaseQueued': 'started',
  'autopilot.ReleaseStageCompleted': 'stage_changed',
  'autopilot.ApprovalRequested': 'waiting_for_approval',
  'autopilot.ReleaseSucceeded': 'promoted',
  'autopilot.ReleaseRejected': 'rejected',
  'autopilot.ReleaseRolledBack': 'rolled_back',
  'autopilot.ReleaseFailed': 'failed',
  'autopilot.ReleaseCancelled': 'cancelled',
  'autopilot.DriftDetected': 'drift',
};

/** Kinds that monitors raise on every run while a breach lasts: digested, not sent per run. */
export const BREACH_KINDS: readonly NotificationKind[] = ['drift', 'data_quality', 'model_quality'];

const SOURCE = /^\/autopilot\/pipelines\/([^/]+)$/;

/** What the event is to a webhook, and whose pipeline it is; undefined when no webhook is told about it. */
export function notificationKindOf(event: OutgoingEvent): { kind: NotificationKind; pipeline: string } | undefined {
  const pipeline = SOURCE.exec(event.source)?.[1];
  if (!pipeline) return undefined;
  if (event.type === 'autopilot.QualityDegraded') {
    // The monitor says which quality (shared/monitoring/runMonitor.ts `announce`).
    return { kind: event.data['outcome'] === 'data-quality' ? 'data_quality' : 'model_quality', pipeline };
  }
  const kind = KIND_OF_TYPE[event.type];
  return kind ? { kind, pipeline } : undefined;
}
