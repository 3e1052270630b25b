import type { QueueClient } from '@azure/storage-queue';
import type { MessageQueue } from '../../../shared/ports';

/** Storage queues cap a message at 64 KiB; base64 inflates by 4/3, so JSON must stay under 48 KiB. */
const MAX_JSON_BYTES = 48 * 1024;
/** The service caps the initial invisibility at 7 days. */
const MAX_DELAY_SECONDS = 7 * 24 * 3600;

/**
 * A MessageQueue on a Storage queue. Messages are JSON, then base64, because the
 * Functions host's queue trigger decodes base64 by default (`messageEncoding`).
 */
export class QueueMessageQueue<M> implements MessageQueue<M> {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly client: QueueClient) {}

  get name(): string {
    return this.client.name;
  }

  async send(message: M, options: { delaySeconds?: number } = {}): Promise<void> {
    const json = JSON.stringify(message);
    if (json === undefined) throw new TypeError(`queue ${this.name}: cannot send ${String(message)}; send a JSON value`);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > MAX_JSON_BYTES) {
      throw new RangeError(
        `queue ${this.name}: message is ${bytes} bytes of JSON; the limit is ${MAX_JSON_BYTES}. Send a reference instead`,
      );
    }
    const delay = Math.min(Math.max(0, Math.ceil(options.delaySeconds ?? 0)), MAX_DELAY_SECONDS);
    await this.ensureQueue();
    await this.client.sendMessage(Buffer.from(json, 'utf8').toString('base64'), {
      // -1: the message never expires (the default would drop it after 7 days).
      messageTimeToLive: -1,
      ...(delay > 0 ? { visibilityTimeout: delay } : {}),
    });
  }

  private ensureQueue(): Promise<unknown> {
    this.ready ??= this.client.createIfNotExists().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }
}

/** Decodes a message body written by QueueMessageQueue (tests, local host). */
export function decodeBase64JsonMessage(text: string): unknown {
  return JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
}
