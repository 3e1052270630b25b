import {
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type Tracer,
} from '@opentelemetry/api';
import { parseOutgoingEvent } from '../../shared/events/outgoing';
import type { EventPublisher, Logger, OutgoingEvent } from '../../shared/ports';
import { eventMeasurements, METRIC_NAMES, type InstrumentKey } from './eventMeasurements';
import { TRACER_NAME } from './withSpan';

export interface EventTelemetryOptions {
  /** @default metrics.getMeter('mlops-autopilot'): build the decorator after startTelemetry, as the API has no late-binding meter */
  meter?: Meter;
  /** @default trace.getTracer('mlops-autopilot') */
  tracer?: Tracer;
  /** Where an event that does not fit the event map is reported. @default console.warn */
  logger?: Pick<Logger, 'warn'>;
}

/**
 * An EventPublisher that turns the service's own events into custom metrics and one
 * `publish <type>` span each, then forwards every event unchanged to `inner`. The core
 * does not know: it publishes as before. Only ids, names and counts leave through
 * telemetry, never event data as such (it may hold URLs with tokens, free text...).
 */
export function withEventTelemetry(inner: EventPublisher, options: EventTelemetryOptions = {}): EventPublisher {
  const meter = options.meter ?? metrics.getMeter(TRACER_NAME);
  const tracer = options.tracer ?? trace.getTracer(TRACER_NAME);
  const instruments: Record<InstrumentKey, Counter | Histogram> = {
    releaseDuration: meter.createHistogram(METRIC_NAMES.releaseDuration, {
      unit: 's',
      description: "Time from a release's creation to its end, by pipeline and outcome",
      advice: { explicitBucketBoundaries: [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400] },
    }),
    stageOutcomes: meter.createCounter(METRIC_NAMES.stageOutcomes, { description: 'Release stages ended, by pipeline, stage and outcome' }),
    rollbacks: meter.createCounter(METRIC_NAMES.rollbacks, { description: 'Rollbacks, by pipeline, reason and phase' }),
    driftScore: meter.createHistogram(METRIC_NAMES.driftScore, {
      description: 'Drift distances the monitor compared with their thresholds, by pipeline, feature, metric and whether they drifted',
      advice: { explicitBucketBoundaries: [0.05, 0.1, 0.2, 0.3, 0.5, 1, 2] },
    }),
    driftDetections: meter.createCounter(METRIC_NAMES.driftDetections, {
      description: 'Drift detected, by pipeline and source (monitor or external)',
    }),
  };

  const logger = options.logger ?? { warn: (message: string, properties?: Record<string, unknown>) => console.warn(message, properties) };
  const record = (published: OutgoingEvent): void => {
    // Our producers cannot build a misfit (the map types them), but an event cast or
    // deserialised past the type system could; it is reported, not silently unmeasured.
    const parsed = parseOutgoingEvent(published);
    if (!parsed.ok) {
      logger.warn(`telemetry: event ${published.id} not measured: ${parsed.problem}`, { eventId: published.id, eventType: published.type });
      return;
    }
    for (const m of eventMeasurements(parsed.event)) {
      const instrument = instruments[m.instrument];
      if ('record' in instrument) instrument.record(m.value, m.attributes);
      else instrument.add(m.value, m.attributes);
    }
  };

  return {
    async publish(events: OutgoingEvent[]): Promise<void> {
      const spans = events.map((e) => tracer.startSpan(`publish ${e.type}`, { kind: SpanKind.PRODUCER, attributes: eventAttributes(e) }));
      try {
        await inner.publish(events);
      } catch (error) {
        for (const span of spans)
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        for (const span of spans) span.end();
      }
      // Measured only once published: a failed publish makes the core retry the step,
      // which publishes the same event again, and it must count once.
      for (const event of events) {
        try {
          record(event);
        } catch (error) {
          // Telemetry never fails a release.
          logger.warn(`telemetry: event ${event.id} not measured: ${error instanceof Error ? error.message : String(error)}`, {
            eventId: event.id,
            eventType: event.type,
          });
        }
      }
    },
  };
}

/** The ids and names of an event, under the same keys logs use; nothing else from its data. */
export function eventAttributes(event: OutgoingEvent): Attributes {
  const attributes: Attributes = {
    'autopilot.event.type': event.type,
    'autopilot.event.id': event.id,
    'autopilot.event.subject': event.subject,
  };
  // Read by key across the union: not every event type carries each of these.
  const data: Record<string, unknown> = event.data;
  const text = (key: string): string | undefined => (typeof data[key] === 'string' && data[key] ? data[key] : undefined);
  const releaseId = text('releaseId');
  const pipeline = text('pipeline') ?? /^\/autopilot\/pipelines\/([^/]+)$/.exec(event.source)?.[1];
  const stage = text('completedStage') ?? text('stage');
  if (releaseId) attributes.releaseId = releaseId;
  if (pipeline) attributes.pipeline = pipeline;
  if (stage) attributes.stage = stage;
  return attributes;
}
