import { z } from 'zod';
import { ConfigError } from '../shared/errors';
import type { EventGridSchemaEvent } from './blobCreatedEvent';

/** An Event Grid subscription of the local storage account, delivering to a function's webhook. */
export const EventSubscription = z.strictObject({
  /** Subscription name (used in dead-letter paths). @default the function name */
  name: z
    .string()
    .regex(/^[A-Za-z0-9-]{3,64}$/, 'use 3-64 letters, digits or dashes')
    .optional(),
  /** The Event Grid-triggered function that receives the events. */
  functionName: z.string().min(1),
  /** @default all event types */
  includedEventTypes: z.array(z.string().min(1)).optional(),
  /** Case-insensitive subject prefix, e.g. `/blobServices/default/containers/training-data/`. */
  subjectBeginsWith: z.string().optional(),
  subjectEndsWith: z.string().optional(),
  /** Delivery attempts before dead-lettering (Event Grid allows 1-30). @default 30 */
  maxDeliveryAttempts: z.int().min(1).max(30).default(30),
  /** Minutes an event may wait for delivery before dead-lettering. @default 1440 */
  eventTimeToLiveMinutes: z.number().positive().max(1440).default(1440),
});
export type EventSubscriptionInput = z.input<typeof EventSubscription>;
export type EventSubscription = z.infer<typeof EventSubscription> & { name: string };

export function parseEventSubscriptions(input: readonly EventSubscriptionInput[], where = 'eventSubscriptions'): EventSubscription[] {
  return input.map((raw, index) => {
    const parsed = EventSubscription.safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(
        where,
        parsed.error.issues.map((i) => ({ path: `[${index}].${i.path.join('.')}`, message: i.message })),
      );
    }
    return { ...parsed.data, name: parsed.data.name ?? parsed.data.functionName.replace(/[^A-Za-z0-9-]/g, '-').padEnd(3, '-') };
  });
}

/** Event Grid's filter: event type in the list, subject prefix/suffix (case-insensitive). */
export function subscriptionMatches(sub: EventSubscription, event: Pick<EventGridSchemaEvent, 'eventType' | 'subject'>): boolean {
  if (sub.includedEventTypes && !sub.includedEventTypes.some((t) => t.toLowerCase() === event.eventType.toLowerCase())) return false;
  const subject = event.subject.toLowerCase();
  if (sub.subjectBeginsWith && !subject.startsWith(sub.subjectBeginsWith.toLowerCase())) return false;
  if (sub.subjectEndsWith && !subject.endsWith(sub.subjectEndsWith.toLowerCase())) return false;
  return true;
}

/**
 * What part of the account a subscription can ever match, for reconciliation listings:
 * a container (and blob-name prefix) when its subject filter names one, else everything.
 */
export function subscriptionScope(sub: EventSubscription): { container?: string; prefix: string } {
  const m = /^\/blobServices\/default\/containers\/([^/]+)(?:\/blobs\/(.*))?/i.exec(sub.subjectBeginsWith ?? '');
  if (!m) return { prefix: '' };
  const container = m[1]!;
  // `/containers/name` without the slash is a prefix of other containers too: list them all.
  if (!(sub.subjectBeginsWith ?? '').toLowerCase().startsWith(`/blobservices/default/containers/${container.toLowerCase()}/`)) {
    return { prefix: '' };
  }
  return { container: container.toLowerCase(), prefix: m[2] ?? '' };
}
