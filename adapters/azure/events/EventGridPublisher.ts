import type { KeyCredential, TokenCredential } from '@azure/core-auth';
import { EventGridPublisherClient, type SendCloudEventInput } from '@azure/eventgrid';
import { Agent } from 'node:https';
import { AutopilotError, ensureError } from '../../../shared/errors';
import type { EventPublisher, OutgoingEvent } from '../../../shared/ports';
import { splitIntoBatches } from './splitIntoBatches';
import { trustedCaPolicy } from '../armMlClient';

export interface EventGridPublisherOptions {
  /** Largest request body sent; bigger batches are split. @default 1,000,000 bytes (the service takes 1 MB; the rest is room for tracing attributes the SDK may add) */
  maxBatchBytes?: number;
  /** Retries of a request the service throttled (429), failed (5xx) or never answered. @default 3 (the SDK's) */
  maxRetries?: number;
  /** First retry delay, growing exponentially (a `Retry-After` from the service wins). @default 800 (the SDK's) */
  retryDelayMs?: number;
  /** Time allowed for one request with its retries. @default 30000 */
  timeoutMs?: number;
  /** PEM of an extra CA to trust (a local fake in tests). @default the system CAs */
  trustedCa?: string;
}

/** Event Grid did not take some events; says how many, which topic and why (never the key). */
export class EventGridPublishError extends AutopilotError {
  constructor(
    readonly topic: string,
    readonly failedEventIds: readonly string[],
    problems: readonly string[],
  ) {
    super(`Event Grid topic ${topic} did not take ${failedEventIds.length} event(s): ${problems.join('; ')}`, { retryable: true });
  }
}

/**
 * Publishes the service's events to an Event Grid custom topic in the CloudEvents 1.0 schema
 * (`application/cloudevents-batch+json`), split into requests within the 1 MB limit. The SDK
 * pipeline retries throttling and 5xx; what still fails is thrown as EventGridPublishError
 * after every other batch was tried.
 */
export class EventGridPublisher implements EventPublisher {
  private readonly client: EventGridPublisherClient<'CloudEvent'>;
  private readonly maxBatchBytes: number;
  private readonly timeoutMs: number;
  /** Origin only, for messages; the endpoint has no secret, but keep logs uniform with webhooks. */
  readonly topic: string;

  constructor(
    endpoint: string,
    private readonly credential: KeyCredential | TokenCredential,
    options: EventGridPublisherOptions = {},
  ) {
    this.topic = new URL(endpoint).origin;
    this.maxBatchBytes = options.maxBatchBytes ?? 1_000_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const agent = options.trustedCa ? new Agent({ ca: options.trustedCa, keepAlive: true }) : undefined;
    this.client = new EventGridPublisherClient(endpoint, 'CloudEvent', credential, {
      retryOptions: {
        ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
        ...(options.retryDelayMs !== undefined ? { retryDelayInMs: options.retryDelayMs } : {}),
      },
      ...(agent ? { additionalPolicies: [{ policy: trustedCaPolicy(agent), position: 'perCall' as const }] } : {}),
    });
  }

  async publish(events: OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    const { batches, oversized } = splitIntoBatches(events, this.maxBatchBytes, wireBytes);
    const failedIds: string[] = oversized.map(({ item }) => item.id);
    const problems: string[] = oversized.map(
      ({ item, bytes }) =>
        `event ${item.id} (${item.type}) is ${bytes} bytes, over the ${this.maxBatchBytes}-byte limit; publish a reference to the data instead`,
    );
    for (const batch of batches) {
      try {
        // An abort signal, not requestOptions.timeout: the SDK leaves that timer running after a
        // connection error, which holds the process (and the Functions worker) open.
        await this.client.send(batch.map(toCloudEventInput), { abortSignal: AbortSignal.timeout(this.timeoutMs) });
      } catch (error) {
        failedIds.push(...batch.map((e) => e.id));
        problems.push(this.describe(error));
      }
    }
    if (failedIds.length > 0) throw new EventGridPublishError(this.topic, failedIds, problems);
  }

  private describe(error: unknown): string {
    const e = ensureError(error) as Error & { statusCode?: number; code?: string };
    if (e.name === 'AbortError') return `no answer within ${this.timeoutMs} ms`;
    const what = e.statusCode ? `HTTP ${e.statusCode}${e.code ? ` ${e.code}` : ''}: ${e.message}` : e.message;
    // The service never echoes the key, but a proxy in between might: scrub it to be sure.
    const key = 'key' in this.credential ? this.credential.key : '';
    return key.length >= 8 ? what.split(key).join('***') : what;
  }
}

function toCloudEventInput(event: OutgoingEvent): SendCloudEventInput<Record<string, unknown>> {
  const time = new Date(event.time);
  return {
    id: event.id,
    type: event.type,
    source: event.source,
    subject: event.subject,
    ...(Number.isNaN(time.getTime()) ? {} : { time }),
    datacontenttype: 'application/json',
    data: event.data,
  };
}

/** The event's size on the wire, as the SDK serializes it (ISO time, specversion added). */
function wireBytes(event: OutgoingEvent): number {
  return Buffer.byteLength(JSON.stringify({ specversion: '1.0', datacontenttype: 'application/json', ...event }), 'utf8');
}
