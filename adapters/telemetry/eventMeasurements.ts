import { z } from 'zod';
import type { OutgoingEvent } from '../../shared/ports';
import { driftScores } from './driftScores';

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

const ReleaseData = z.object({
  releaseId: z.string(),
  pipeline: z.string(),
  stage: z.string(),
  completedStage: z.string().optional(),
  createdAt: z.string().optional(),
  by: z.string().optional(),
});
const DriftData = z.object({ pipeline: z.string(), features: z.unknown().optional(), external: z.string().optional() });

/** How each terminal release event ends its current stage and the release. */
const TERMINAL_OUTCOME: Record<string, string> = {
  'autopilot.ReleaseSucceeded': 'succeeded',
  'autopilot.ReleaseRejected': 'rejected',
  'autopilot.ReleaseFailed': 'failed',
  'autopilot.ReleaseCancelled': 'cancelled',
  'autopilot.ReleaseRolledBack': 'rolled_back',
};

/**
 * The metric measurements one of the service's own events stands for. Events this map
 * does not know, or whose data does not have the expected shape, measure nothing (they
 * still get a span).
 */
export function eventMeasurements(event: OutgoingEvent): Measurement[] {
  if (event.type === 'autopilot.ReleaseStageCompleted') {
    const data = ReleaseData.safeParse(event.data);
    if (!data.success) return [];
    return [
      {
        instrument: 'stageOutcomes',
        value: 1,
        attributes: { pipeline: data.data.pipeline, stage: data.data.completedStage ?? data.data.stage, outcome: 'succeeded' },
      },
    ];
  }
  const outcome = TERMINAL_OUTCOME[event.type];
  if (outcome) {
    const data = ReleaseData.safeParse(event.data);
    return data.success ? terminal(event, data.data, outcome) : [];
  }
  if (event.type === 'autopilot.DriftDetected') {
    const data = DriftData.safeParse(event.data);
    if (!data.success) return [];
    const { pipeline } = data.data;
    return [
      { instrument: 'driftDetections', value: 1, attributes: { pipeline, source: data.data.external ? 'external' : 'monitor' } },
      ...driftScores(data.data.features).map((s): Measurement => ({
        instrument: 'driftScore',
        value: s.value,
        attributes: { pipeline, feature: s.feature, metric: s.metric, drifted: String(s.drifted) },
      })),
    ];
  }
  return [];
}

function terminal(event: OutgoingEvent, data: z.infer<typeof ReleaseData>, outcome: string): Measurement[] {
  const { pipeline, stage } = data;
  const measurements: Measurement[] = [];
  // A rollback of a release that already succeeded (`autopilot rollback` after promotion)
  // ends nothing new: its stage and duration were counted when it succeeded.
  const afterPromotion = outcome === 'rolled_back' && stage !== 'canary';
  if (!afterPromotion) {
    measurements.push({ instrument: 'stageOutcomes', value: 1, attributes: { pipeline, stage, outcome } });
    const seconds = releaseSeconds(data, event.time);
    if (seconds !== undefined) measurements.push({ instrument: 'releaseDuration', value: seconds, attributes: { pipeline, outcome } });
  }
  if (outcome === 'rolled_back') {
    measurements.push({
      instrument: 'rollbacks',
      value: 1,
      attributes: { pipeline, reason: rollbackReason(data.by), phase: afterPromotion ? 'after-promotion' : 'canary' },
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
