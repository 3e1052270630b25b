import { z } from 'zod';
import { BadRequestError } from '../errors';

/** One delivered event with the schema's differences (Event Grid vs CloudEvents 1.0) taken out. */
export interface EventEnvelope {
  id: string;
  type: string;
  /** `source` in CloudEvents, `topic` in the Event Grid schema (the publisher's ARM id). */
  source: string;
  subject?: string;
  time?: string;
  data: unknown;
}

const CloudEventEnvelope = z
  .looseObject({
    specversion: z.string(),
    id: z.string().min(1),
    type: z.string().min(1),
    source: z.string(),
    subject: z.string().optional(),
    time: z.string().optional(),
    data: z.unknown(),
  })
  .transform((e): EventEnvelope => ({ id: e.id, type: e.type, source: e.source, subject: e.subject, time: e.time, data: e.data }));

const EventGridEnvelope = z
  .looseObject({
    id: z.string().min(1),
    eventType: z.string().min(1),
    subject: z.string(),
    eventTime: z.string(),
    topic: z.string().optional(),
    data: z.unknown(),
  })
  .transform((e): EventEnvelope => ({
    id: e.id,
    type: e.eventType,
    source: e.topic ?? '',
    subject: e.subject,
    time: e.eventTime,
    data: e.data,
  }));

/**
 * Reads the envelope of one event as Event Grid delivers it, in either schema: CloudEvents
 * carry `specversion`, everything else is read as the Event Grid schema. `what` names the
 * expected event in the error ("a BlobCreated event"); the error's `where` names the wrong field.
 */
export function parseEnvelope(event: unknown, what: string): EventEnvelope {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new BadRequestError(`not ${what} in the Event Grid or CloudEvents 1.0 schema (expected one event as a JSON object)`, 'event');
  }
  const envelope = ('specversion' in event ? CloudEventEnvelope : EventGridEnvelope).safeParse(event);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    throw new BadRequestError(
      `not ${what} in the Event Grid or CloudEvents 1.0 schema (${issue?.message ?? 'unknown shape'})`,
      ['event', ...(issue?.path.map(String) ?? [])].join('.'),
    );
  }
  return envelope.data;
}

/** Validates an event's payload, naming the field that is wrong as `event.data.<path>`. */
export function parseEventData<T extends z.ZodType>(schema: T, envelope: EventEnvelope, data: unknown = envelope.data): z.infer<T> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadRequestError(`${envelope.type}: ${issue.message}`, ['event', 'data', ...issue.path.map(String)].join('.'));
  }
  return parsed.data;
}
