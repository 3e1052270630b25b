import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { BadRequestError, ensureError } from '../shared/errors';

/** What Event Grid asked for in one webhook POST. */
export type EventGridDelivery =
  | { kind: 'validation'; validationCode: string }
  | { kind: 'unsubscribe' }
  | { kind: 'events'; schema: 'EventGridSchema' | 'CloudEventSchemaV1_0'; events: Record<string, unknown>[] };

export const SUBSCRIPTION_VALIDATION_EVENT = 'Microsoft.EventGrid.SubscriptionValidationEvent';

const EventGridSchemaEvent = z.looseObject({
  id: z.string().min(1),
  eventType: z.string().min(1),
  subject: z.string(),
  eventTime: z.string().min(1),
  topic: z.string().optional(),
  dataVersion: z.string().optional(),
  metadataVersion: z.string().optional(),
});

const CloudEvent = z.looseObject({
  specversion: z.string().min(1),
  id: z.string().min(1),
  type: z.string().min(1),
  source: z.string().min(1),
});

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function validateEach(events: unknown[], schema: z.ZodType, label: string): Record<string, unknown>[] {
  return events.map((event, index) => {
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new BadRequestError(`${label} event ${index}: ${issue.path.join('.') || '(event)'}: ${issue.message}`, 'body');
    }
    return event as Record<string, unknown>;
  });
}

/**
 * Interprets an Event Grid webhook request as the Functions Event Grid extension does:
 * the `aeg-event-type` header says SubscriptionValidation, Notification or Unsubscribe;
 * a CloudEvents content type (single or batch) means CloudEvents v1.0 schema.
 * Throws BadRequestError (-> 400) with the reason for anything malformed.
 */
export function parseEventGridDelivery(headers: IncomingHttpHeaders, body: Buffer): EventGridDelivery {
  const eventType = header(headers, 'aeg-event-type');
  const contentType = (header(headers, 'content-type') ?? '').toLowerCase();
  const cloudEvents = contentType.includes('application/cloudevents');
  if (eventType?.toLowerCase() === 'unsubscribe') return { kind: 'unsubscribe' };
  if (!eventType && !cloudEvents) {
    throw new BadRequestError(
      "missing 'aeg-event-type' header; Event Grid sends SubscriptionValidation or Notification (or use a CloudEvents content type)",
      'headers',
    );
  }
  if (eventType && !['subscriptionvalidation', 'notification'].includes(eventType.toLowerCase())) {
    throw new BadRequestError(`unknown aeg-event-type '${eventType}'`, 'headers');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new BadRequestError(`body is not valid JSON (${ensureError(error).message})`, 'body');
  }
  const list = Array.isArray(payload) ? payload : [payload];
  if (list.length === 0) throw new BadRequestError('no events in the body', 'body');
  if (list.some((e) => typeof e !== 'object' || e === null || Array.isArray(e))) {
    throw new BadRequestError('each event must be a JSON object', 'body');
  }
  if (eventType?.toLowerCase() === 'subscriptionvalidation') {
    const [first] = validateEach(list, EventGridSchemaEvent, 'validation');
    const code = (first?.['data'] as { validationCode?: unknown } | undefined)?.validationCode;
    if (first?.['eventType'] !== SUBSCRIPTION_VALIDATION_EVENT || typeof code !== 'string') {
      throw new BadRequestError(`expected a ${SUBSCRIPTION_VALIDATION_EVENT} with data.validationCode`, 'body');
    }
    return { kind: 'validation', validationCode: code };
  }
  const isCloud = cloudEvents || list.every((e) => 'specversion' in (e as object));
  return isCloud
    ? { kind: 'events', schema: 'CloudEventSchemaV1_0', events: validateEach(list, CloudEvent, 'CloudEvents') }
    : { kind: 'events', schema: 'EventGridSchema', events: validateEach(list, EventGridSchemaEvent, 'Event Grid') };
}
