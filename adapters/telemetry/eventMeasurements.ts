import type { OutgoingEvent, OutgoingEventOf, OutgoingEventType } from '../../shared/events/outgoing';

/** The custom metrics, by the names they have in Application Insights `customMetrics`. */
export const METRIC_NAMES = {
  releaseDuration: 'autopilot.release.duration',
  stageOutcomes: 'autopilot.stage.outcomes',
  rollbacks: 'autopilot.rollbacks',
  driftScore: 'autopilot.drift.score',
  driftDetections: 'autopilot.drift.detections',
} as const;
export type InstrumentKey = keyof typeof METRIC_NAMES;

export interface Measurement {
  instrument: InstrumentKey;
  value: number;
  /** Low-cardinality dimensions only: never release ids or free text. */
  attributes: Record<string, string>;
}

type ReleaseEvent = OutgoingEventOf<
  Exclude<OutgoingEventType, 'autopilot.DriftDetected' | 'autopilot.QualityDegraded' | 'autopilot.AlertReceived'>
>;

/** How each terminal release event ends its current stage and the release. */
const TERMINAL_OUTCOME = {
  'autopilot.ReleaseSucceeded': 'succeeded',
  'autopilot.ReleaseRejected': 'rejected',
  'autopilot.ReleaseFailed': 'failed',
  'autopilot.ReleaseCancelled': 'cancelled',
  'autopilot.ReleaseRolledBack': 'rolled_back',
} as const;

/**
 * The metric measurements one of the service's own events stands for, by its type in the
 * event map (shared/events/outgoing.ts): the switch covers every type, so a new one must say
 * what it measures. Callers check events from outside the type system with parseOutgoingEvent.
 */
export function eventMeasurements(event: OutgoingEvent): Measurement[] {
  switch (event.type) {
    case 'autopilot.ReleaseStageCompleted': {
      const { pipeline, completedStage } = event.data;
      return [{ instrument: 'stageOutcomes', value: 1, attributes: { pipeline, stage: completedStage, outcome: 'succeeded' } }];
    }
    case 'autopilot.ReleaseSucceeded':
    case 'autopilot.ReleaseRejected':
    case 'autopilot.ReleaseFailed':
    case 'autopilot.ReleaseCancelled':
    case 'autopilot.ReleaseRolledBack':
      return terminal(event, TERMINAL_OUTCOME[event.type]);
    case 'autopilot.DriftDetected': {
      const { pipeline, features = [], external } = event.data;
      return [
        { instrument: 'driftDetections', value: 1, attributes: { pipeline, source: external ? 'external' : 'monitor' } },
        ...features.map((s): Measurement => ({
          instrument: 'driftScore',
          value: s.value,
          attributes: { pipeline, feature: s.feature, metric: s.metric, drifted: String(s.drifted) },
        })),
      ];
    }
    case 'autopilot.ReleaseQueued':
    case 'autopilot.ApprovalRequested':
    case 'autopilot.QualityDegraded':
    case 'autopilot.AlertReceived':
      return [];
    default:
      return assertNever(event);
  }
}

function assertNever(event: never): never {
  throw new Error(`eventMeasurements: event type ${(event as { type: string }).type} is missing from the switch`);
}

function terminal(event: ReleaseEvent, outcome: (typeof TERMINAL_OUTCOME)[keyof typeof TERMINAL_OUTCOME]): Measurement[] {
  const { pipeline, stage } = event.data;
  const by = event.type === 'autopilot.ReleaseRolledBack' ? event.data.by : undefined;
  const measurements: Measurement[] = [];
  // A rollback of a release that already succeeded (`autopilot rollback` after promotion)
  // ends nothing new: its stage and duration were counted when it succeeded.
  const afterPromotion = outcome === 'rolled_back' && stage !== 'canary';
  if (!afterPromotion) {
    measurements.push({ instrument: 'stageOutcomes', value: 1, attributes: { pipeline, stage, outcome } });
    const seconds = releaseSeconds(event.data, event.time);
    if (seconds !== undefined) measurements.push({ instrument: 'releaseDuration', value: seconds, attributes: { pipeline, outcome } });
  }
  if (outcome === 'rolled_back') {
    measurements.push({
      instrument: 'rollbacks',
      value: 1,
      attributes: { pipeline, reason: rollbackReason(by), phase: afterPromotion ? 'after-promotion' : 'canary' },
    });
  }
  return measurements;
}

/** Who rolled back: the canary analysis itself (no actor), an Azure Monitor alert, or a person. */
export function rollbackReason(by: string | undefined): 'canary-analysis' | 'alert' | 'manual' {
  if (!by || by === 'autopilot') return 'canary-analysis';
  return by.startsWith('azure-monitor:') ? 'alert' : 'manual';
}

/**
 * Seconds from the release's creation (`createdAt`, which every release event carries) to
 * the event; undefined when either time is missing or unreadable, or they are out of order.
 */
export function releaseSeconds(data: { createdAt?: string }, eventTime: string): number | undefined {
  const created = data.createdAt ? Date.parse(data.createdAt) : NaN;
  const ended = Date.parse(eventTime);
  if (!Number.isFinite(created) || !Number.isFinite(ended) || ended < created) return undefined;
  return (ended - created) / 1000;
}
