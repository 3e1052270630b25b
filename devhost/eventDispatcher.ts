import type { EventGridSchemaEvent } from './blobCreatedEvent';
import { eventGridRetryDelay } from './eventGridRetry';
import { subscriptionMatches, type EventSubscription } from './eventSubscription';
import type { HostLogger } from './logger';
import { ensureError } from '../shared/errors';

/** The event as Event Grid dead-letters it: the event plus why and how delivery failed. */
export interface DeadLetteredEvent extends EventGridSchemaEvent {
  deadLetterReason: string;
  deliveryAttempts: number;
  lastDeliveryOutcome: string;
  lastHttpStatusCode: number;
  publishTime: string;
  lastDeliveryAttemptTime: string;
}

export interface EventDispatcherOptions {
  subscriptions: readonly EventSubscription[];
  /** Webhook URL for a function, with its key (`/runtime/webhooks/eventgrid?functionName=..&code=..`). */
  webhookUrl: (functionName: string) => string;
  /** Stores an event whose delivery gave up (Azure: a blob in the dead-letter container). */
  deadLetter: (subscription: EventSubscription, event: DeadLetteredEvent) => Promise<void>;
  logger: HostLogger;
  /** Multiplies Event Grid's retry waits (10 s, 30 s, 1 min...) and the event TTL; tests use e.g. 0.001. @default 1 */
  retryScale?: number;
  /** Event Grid's per-delivery timeout. @default 30000 */
  attemptTimeoutMs?: number;
}

const OUTCOME_BY_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  413: 'RequestEntityTooLarge',
  503: 'Busy',
};

/**
 * Delivers events to matching subscriptions through the Event Grid webhook, one event per
 * POST, with Event Grid's retry schedule, delivery-attempt limit and TTL, and
 * dead-lettering when they run out. Pending deliveries live in memory; the caller keeps
 * them durable by reconciling what was never settled.
 */
export class EventDispatcher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly cancels = new Set<() => void>();
  private stopped = false;

  constructor(private readonly options: EventDispatcherOptions) {}

  get pendingDeliveries(): number {
    return this.cancels.size;
  }

  /**
   * Starts delivering `event` to every matching subscription. `settled` resolves when
   * each has either accepted it or had it dead-lettered, and rejects if the host stopped
   * first or dead-lettering failed (the event may then be emitted again later).
   */
  publish(event: EventGridSchemaEvent): { matched: number; settled: Promise<void> } {
    const targets = this.options.subscriptions.filter((s) => subscriptionMatches(s, event));
    return { matched: targets.length, settled: Promise.all(targets.map((s) => this.deliver(s, event))).then(() => undefined) };
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const cancel of [...this.cancels]) cancel();
  }

  private deliver(sub: EventSubscription, event: EventGridSchemaEvent): Promise<void> {
    const publishTime = new Date();
    const log = this.options.logger;
    return new Promise<void>((resolve, reject) => {
      const cancel = () => {
        this.cancels.delete(cancel);
        reject(new Error('host stopped before the event was delivered'));
      };
      this.cancels.add(cancel);
      const done = (error?: Error) => {
        this.cancels.delete(cancel);
        if (error) reject(error);
        else resolve();
      };
      const attempt = async (n: number): Promise<void> => {
        if (this.stopped) return;
        const status = await this.post(sub, event, n);
        if (this.stopped) return;
        if (status !== undefined && status >= 200 && status < 300) return done();
        const decision = eventGridRetryDelay(n, status, this.options.retryScale ?? 1);
        const expiresAt = publishTime.getTime() + sub.eventTimeToLiveMinutes * 60_000 * (this.options.retryScale ?? 1);
        const reason = !decision.retry
          ? (OUTCOME_BY_STATUS[status ?? 0] ?? 'NonRetriableStatus')
          : n >= sub.maxDeliveryAttempts
            ? 'MaxDeliveryAttemptsExceeded'
            : Date.now() + decision.delayMs > expiresAt
              ? 'TimeToLiveExceeded'
              : undefined;
        if (!reason) {
          log.warn(
            `Delivery ${n} of ${event.eventType} ${event.subject} to ${sub.functionName} failed (${status ?? 'no response'}); retrying in ${decision.delayMs} ms`,
          );
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            void attempt(n + 1);
          }, decision.delayMs);
          this.timers.add(timer);
          return;
        }
        const record: DeadLetteredEvent = {
          ...event,
          deadLetterReason: reason,
          deliveryAttempts: n,
          lastDeliveryOutcome: status === undefined ? 'TimedOut' : (OUTCOME_BY_STATUS[status] ?? 'GenericError'),
          lastHttpStatusCode: status ?? 0,
          publishTime: publishTime.toISOString(),
          lastDeliveryAttemptTime: new Date().toISOString(),
        };
        try {
          await this.options.deadLetter(sub, record);
          log.error(
            `Dead-lettered ${event.eventType} ${event.subject} (id ${event.id}) for subscription ${sub.name} after ${n} attempt(s): ${reason}`,
          );
          done();
        } catch (error) {
          log.error(
            `Could not dead-letter event ${event.id} for ${sub.name}: ${ensureError(error).message}. Event: ${JSON.stringify(event)}`,
          );
          done(ensureError(error));
        }
      };
      void attempt(1);
    });
  }

  /** One delivery attempt; returns the HTTP status, or undefined when there was no response. */
  private async post(sub: EventSubscription, event: EventGridSchemaEvent, n: number): Promise<number | undefined> {
    try {
      const response = await fetch(this.options.webhookUrl(sub.functionName), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'aeg-event-type': 'Notification',
          'aeg-subscription-name': sub.name.toUpperCase(),
          'aeg-delivery-count': String(n - 1),
          'aeg-data-version': event.dataVersion,
          'aeg-metadata-version': event.metadataVersion,
        },
        body: JSON.stringify([event]),
        signal: AbortSignal.timeout(this.options.attemptTimeoutMs ?? 30_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return undefined;
    }
  }
}
