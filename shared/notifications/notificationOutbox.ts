import { DEFAULT_NOTIFICATION_KINDS, webhookName } from '../config/notificationsSchema';
import type { AutopilotConfig } from '../config/schema';
import { AlreadyExistsError, ConcurrencyError, ensureError } from '../errors';
import type { EventEnvelope } from '../events/outgoing';
import type { Clock, EventPublisher, Logger, MessageQueue, OutgoingEvent, StateTable } from '../ports';
import { digestBreach, type DigestState } from './digest';
import { BREACH_KINDS, notificationKindOf } from './notificationKind';
import type { NotificationJob } from './notificationJob';

export interface NotificationOutboxDeps {
  config: AutopilotConfig;
  /** Holds the digest state per pipeline and breach kind. */
  table: StateTable;
  queue: MessageQueue<NotificationJob>;
  clock: Clock;
  logger?: Logger;
}

/** A storage queue message holds 48 KiB of JSON (adapters/azure/storage/QueueMessageQueue.ts); leave room for the job around the event. */
const MAX_EVENT_JSON = 40 * 1024;

/**
 * Turns published events into queued deliveries, one per event and webhook that asked for
 * its kind; breaches pass the digest first. Queuing is durable; sending happens in the
 * notifications queue function, with retries, so a slow or dead receiver never holds up a release.
 */
export class NotificationOutbox {
  constructor(private readonly deps: NotificationOutboxDeps) {}

  /** Returns the number of deliveries queued. */
  async enqueue(events: readonly OutgoingEvent[]): Promise<number> {
    let queued = 0;
    for (const event of events) {
      const what = notificationKindOf(event);
      const policy = what && this.deps.config.pipelines[what.pipeline]?.notifications;
      if (!what || !policy) continue;
      const targets = policy.webhooks
        .map((hook, i) => ({ name: webhookName(hook, i), kinds: hook.events ?? DEFAULT_NOTIFICATION_KINDS }))
        .filter((hook) => hook.kinds.includes(what.kind));
      if (targets.length === 0) continue;
      let digest: NotificationJob['digest'];
      if (BREACH_KINDS.includes(what.kind)) {
        const decision = await this.digest(`${what.pipeline}-${what.kind}`, event.id, policy.digestMinutes);
        if (!decision.send) continue;
        digest = decision.note;
      }
      const fitted = fitEvent(event);
      for (const target of targets) {
        await this.deps.queue.send({
          pipeline: what.pipeline,
          webhook: target.name,
          kind: what.kind,
          event: fitted,
          attempt: 1,
          ...(digest ? { digest } : {}),
        });
        queued++;
      }
    }
    return queued;
  }

  private async digest(row: string, eventId: string, intervalMinutes: number): Promise<ReturnType<typeof digestBreach>> {
    // Optimistic concurrency: two monitor runs of one pipeline may announce at once.
    for (let tries = 0; ; tries++) {
      const existing = await this.deps.table.get<DigestState>('digest', row);
      const decision = digestBreach(existing?.value, eventId, this.deps.clock.now(), intervalMinutes);
      try {
        if (existing) await this.deps.table.replace('digest', row, decision.next, existing.etag);
        else await this.deps.table.insert('digest', row, decision.next);
        return decision;
      } catch (error) {
        if (!(error instanceof ConcurrencyError || error instanceof AlreadyExistsError) || tries >= 5) throw error;
      }
    }
  }
}

/** Keeps a queued job under the queue's size limit: large figures (per-feature drift scores) stay in the event log. */
export function fitEvent(event: EventEnvelope): EventEnvelope {
  if (JSON.stringify(event).length <= MAX_EVENT_JSON) return event;
  const data: Record<string, unknown> = { truncated: 'the full event is in the event log (GET /api/events)' };
  for (const [key, value] of Object.entries(event.data)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value))
      data[key] = typeof value === 'string' ? value.slice(0, 2000) : value;
  }
  if (Array.isArray(event.data['reasons'])) data['reasons'] = event.data['reasons'].slice(0, 20).map((r) => String(r).slice(0, 500));
  if (event.data['model'] && typeof event.data['model'] === 'object') data['model'] = event.data['model'];
  return { ...event, data };
}

/**
 * The app's publisher with notifications behind it: events go to `inner` first (the event log,
 * which must take them), then into the outbox. An outbox failure is logged, never thrown:
 * a notification must not fail the release that emitted it.
 */
export function notifyingPublisher(inner: EventPublisher, outbox: NotificationOutbox, logger?: Logger): EventPublisher {
  return {
    async publish(events: OutgoingEvent[]): Promise<void> {
      await inner.publish(events);
      try {
        await outbox.enqueue(events);
      } catch (error) {
        logger?.warn('queuing notifications failed; the events are in the event log (GET /api/events)', {
          eventIds: events.slice(0, 10).map((e) => e.id),
          problem: ensureError(error).message,
        });
      }
    },
  };
}
