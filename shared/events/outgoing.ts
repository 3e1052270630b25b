import { z } from 'zod';
import { DriftScore } from '../monitoring/driftScores';
import type { EventEnvelope } from './eventEnvelope';
import { ModelRefSchema, ReleaseStatus, Stage } from '../release/types';

export { EventEnvelope } from './eventEnvelope';

/**
 * The events the service publishes about itself (CloudEvents 1.0), as one map from event
 * type to payload, after the Azure SDK's `SystemEventNameToEventData`. Producers build
 * events through `outgoingEvent`, so a payload that does not fit its type does not compile;
 * consumers of events read back from elsewhere (telemetry, the release outbox) check them
 * with `parseOutgoingEvent`. Payloads are zod schemas; their types are derived.
 */

/** What every release event carries (shared/release/releaseEvents.ts). */
const ReleasePayload = z.object({
  releaseId: z.string(),
  pipeline: z.string(),
  status: ReleaseStatus,
  stage: Stage,
  model: ModelRefSchema.optional(),
  reason: z.string().optional(),
  /** Lets consumers (telemetry's release duration, webhooks) time the release without reading it back. */
  createdAt: z.string(),
  /** Set when `autopilot repair` ended the release. */
  repairedBy: z.string().optional(),
});

/** A monitor run that found drift or degraded quality (shared/monitoring/runMonitor.ts). */
const MonitorPayload = z.object({
  pipeline: z.string(),
  endpoint: z.string(),
  reasons: z.array(z.string()),
  deployment: z.string().optional(),
  model: ModelRefSchema.optional(),
  rows: z.number().optional(),
});

export const OUTGOING_EVENT_PAYLOADS = {
  'autopilot.ReleaseQueued': ReleasePayload,
  'autopilot.ReleaseStageCompleted': ReleasePayload.extend({ completedStage: Stage }),
  'autopilot.ApprovalRequested': ReleasePayload.extend({ timeoutMinutes: z.number() }),
  'autopilot.ReleaseSucceeded': ReleasePayload,
  'autopilot.ReleaseRejected': ReleasePayload,
  'autopilot.ReleaseFailed': ReleasePayload,
  'autopilot.ReleaseCancelled': ReleasePayload,
  /** `by`: who rolled back (absent or `autopilot`: the canary analysis; `azure-monitor:<rule>`: an alert; else a person). */
  'autopilot.ReleaseRolledBack': ReleasePayload.extend({ by: z.string().optional(), why: z.string().optional() }),
  /** Every metric compared, drifted or not, in `features`; `external` names the monitor when drift was reported by someone else. */
  'autopilot.DriftDetected': MonitorPayload.extend({
    outcome: z.literal('drift'),
    features: z.array(DriftScore).optional(),
    external: z.string().optional(),
  }),
  'autopilot.QualityDegraded': MonitorPayload.extend({ outcome: z.enum(['data-quality', 'model-quality']) }),
  /** A Fired Azure Monitor alert that changed nothing by itself (shared/alerts/reactToAlert.ts). */
  'autopilot.AlertReceived': z.object({
    alertId: z.string(),
    rule: z.string(),
    severity: z.string().optional(),
    condition: z.enum(['Fired', 'Resolved']),
    signalType: z.string().optional(),
    service: z.string(),
    description: z.string().optional(),
    firedAt: z.string(),
    endpoints: z.array(z.string()),
  }),
} as const;

export type OutgoingEventType = keyof typeof OUTGOING_EVENT_PAYLOADS;
export type OutgoingEventData<T extends OutgoingEventType> = z.infer<(typeof OUTGOING_EVENT_PAYLOADS)[T]>;
export const OUTGOING_EVENT_TYPES = Object.keys(OUTGOING_EVENT_PAYLOADS) as OutgoingEventType[];

/** The CloudEvents attributes besides `type` and `data`. */
export interface EventAttributes {
  id: string;
  source: string;
  subject: string;
  time: string;
}

/** The event of type `T`. */
export type OutgoingEventOfType<T extends OutgoingEventType> = EventAttributes & { type: T; data: OutgoingEventData<T> };
/** The event of type `T`, of each member when `T` is a union. */
export type OutgoingEventOf<T extends OutgoingEventType> = T extends OutgoingEventType ? OutgoingEventOfType<T> : never;
/** Any event the service publishes: a union discriminated by `type`. */
export type OutgoingEvent = OutgoingEventOf<OutgoingEventType>;

/** The one way to make an outgoing event: the payload must be the one its type maps to. */
export function outgoingEvent<T extends OutgoingEventType>(
  type: T,
  attributes: EventAttributes,
  data: OutgoingEventData<T>,
): OutgoingEventOfType<T> {
  return { ...attributes, type, data };
}

export function isOutgoingEventType(type: string): type is OutgoingEventType {
  return Object.hasOwn(OUTGOING_EVENT_PAYLOADS, type);
}

export type ParsedOutgoingEvent = { ok: true; event: OutgoingEvent } | { ok: false; problem: string };

/** Checks an envelope against the map: an unknown type, or a payload of another shape, says which and why. */
export function parseOutgoingEvent(envelope: EventEnvelope): ParsedOutgoingEvent {
  if (!isOutgoingEventType(envelope.type)) return { ok: false, problem: `unknown event type '${envelope.type}'` };
  const data = OUTGOING_EVENT_PAYLOADS[envelope.type].safeParse(envelope.data);
  if (!data.success) return { ok: false, problem: `${envelope.type} data: ${z.prettifyError(data.error).replace(/\n/g, '; ')}` };
  // The schema was picked by this very type, so the pair is one member of the union; TypeScript cannot correlate the two.
  return { ok: true, event: { ...envelope, type: envelope.type, data: data.data } as OutgoingEvent };
}
