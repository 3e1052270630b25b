import { setTimeout as sleep } from 'node:timers/promises';
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import type { FunctionInvoker } from './functionInvoker';
import type { RegisteredFunction } from './functionsCore';
import type { QueuesConfig } from './hostConfig';
import type { HostLogger } from './logger';
import { MessageLease } from './messageLease';
import { nextPollDelay } from './pollingBackoff';
import { decodeQueueMessage } from './queueMessage';
import { ensureError } from '../shared/errors';

export interface QueueListenerOptions {
  /** How long a received message stays invisible per lease; renewed at half. @default 60 */
  leaseSeconds?: number;
  /** How long stop() waits for running handlers. @default 10000 */
  drainTimeoutMs?: number;
  /**
   * A handler running longer than this stops counting against batchSize +
   * newBatchThreshold, so long steps cannot starve the queue. @default half the lease
   */
  longRunningMs?: number;
}

/**
 * Runs one queue-triggered function like the Functions host: polls with backoff, keeps
 * up to batchSize + newBatchThreshold messages in flight, deletes on success, releases
 * after `visibilityTimeout` on failure, and moves a message that failed
 * `maxDequeueCount` times to `<queue>-poison`.
 *
 * That limit is per instance in Azure, and the scale controller adds instances while
 * messages wait, so a few long invocations never stall a queue there. This host is one
 * instance: an invocation that outlives `longRunningMs` is no longer counted against the
 * limit (it still runs, its message stays leased, functionTimeout still bounds it),
 * which is what another instance would give the waiting messages.
 */
export class QueueListener {
  private readonly inFlight = new Set<Promise<void>>();
  /** The in-flight invocations that still count against the batch limit. */
  private readonly counted = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private capacityWaiter: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private lastPollError = '';
  private poisonReady: Promise<unknown> | undefined;
  private readonly leaseSeconds: number;

  constructor(
    private readonly fn: RegisteredFunction,
    private readonly queue: QueueClient,
    private readonly poisonQueue: QueueClient,
    private readonly settings: QueuesConfig,
    private readonly invoker: FunctionInvoker,
    private readonly logger: HostLogger,
    private readonly options: QueueListenerOptions = {},
  ) {
    this.leaseSeconds = Math.max(1, Math.round(options.leaseSeconds ?? 60));
  }

  get queueName(): string {
    return this.queue.name;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.capacityWaiter?.();
    await this.loop;
    const drained = Promise.allSettled([...this.inFlight]);
    const timeout = sleep(this.options.drainTimeoutMs ?? 10_000, undefined, { ref: false });
    await Promise.race([drained, timeout]);
  }

  private async run(): Promise<void> {
    let delay = 0;
    let queueReady = false;
    while (!this.abort.signal.aborted) {
      await this.waitForCapacity();
      if (this.abort.signal.aborted) break;
      let messages: DequeuedMessageItem[] = [];
      try {
        // The abort signal makes stop() prompt even while the SDK is retrying a slow call.
        const abortSignal = this.abort.signal;
        if (!queueReady) queueReady = (await this.queue.createIfNotExists({ abortSignal }), true);
        const response = await this.queue.receiveMessages({
          numberOfMessages: this.settings.batchSize,
          visibilityTimeout: this.leaseSeconds,
          abortSignal,
        });
        messages = response.receivedMessageItems;
        this.lastPollError = '';
      } catch (error) {
        const text = ensureError(error).message;
        if (text !== this.lastPollError && !this.abort.signal.aborted) {
          this.logger.warn(`Polling queue '${this.queueName}' for ${this.fn.name} failed (will keep trying): ${text}`);
        }
        this.lastPollError = text;
      }
      for (const message of messages) this.track(this.process(message));
      delay = nextPollDelay(delay, messages.length > 0, this.settings.maxPollingInterval);
      if (delay > 0) await sleep(delay, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }

  private waitForCapacity(): Promise<void> {
    if (this.counted.size <= this.settings.newBatchThreshold) return Promise.resolve();
    return new Promise((resolve) => (this.capacityWaiter = resolve));
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    this.counted.add(work);
    const uncount = () => {
      if (!this.counted.delete(work)) return;
      if (this.counted.size <= this.settings.newBatchThreshold) {
        const wake = this.capacityWaiter;
        this.capacityWaiter = undefined;
        wake?.();
      }
    };
    const longRunning = setTimeout(uncount, this.options.longRunningMs ?? (this.leaseSeconds * 1000) / 2);
    longRunning.unref();
    void work.finally(() => {
      clearTimeout(longRunning);
      this.inFlight.delete(work);
      uncount();
    });
  }

  private async process(message: DequeuedMessageItem): Promise<void> {
    const log = this.logger.child({ functionName: this.fn.name });
    const lease = new MessageLease(this.queue, message.messageId, message.popReceipt, this.leaseSeconds, (m) => log.warn(m));
    const { maxDequeueCount, visibilityTimeout } = this.settings;
    try {
      if (message.dequeueCount > maxDequeueCount) {
        // Delivered more often than allowed without a recorded failure (e.g. the host died mid-run).
        await this.moveToPoison(message, lease);
        return;
      }
      const decoded = decodeQueueMessage(message.messageText);
      lease.start();
      try {
        await this.invoker.invoke(this.fn, decoded.input, {
          reason: `New queue message detected on '${this.queueName}'`,
          triggerMetadata: {
            id: message.messageId,
            queueTrigger: decoded.text,
            dequeueCount: message.dequeueCount,
            insertionTime: message.insertedOn.toISOString(),
            expirationTime: message.expiresOn.toISOString(),
            nextVisibleTime: message.nextVisibleOn.toISOString(),
            popReceipt: message.popReceipt,
          },
        });
      } catch {
        // The invoker logged the failure.
        if (message.dequeueCount >= maxDequeueCount) await this.moveToPoison(message, lease);
        else
          await lease.finish((receipt) =>
            this.queue.updateMessage(message.messageId, receipt, undefined, Math.round(visibilityTimeout / 1000)),
          );
        return;
      }
      await lease.finish((receipt) => this.queue.deleteMessage(message.messageId, receipt));
    } catch (error) {
      log.warn(
        `Could not settle message ${message.messageId} on '${this.queueName}'; it will be delivered again: ${ensureError(error).message}`,
      );
    }
  }

  private async moveToPoison(message: DequeuedMessageItem, lease: MessageLease): Promise<void> {
    this.poisonReady ??= this.poisonQueue.createIfNotExists().catch((error: unknown) => {
      this.poisonReady = undefined;
      throw error;
    });
    await this.poisonReady;
    this.logger.warn(
      `Message ${message.messageId} has reached MaxDequeueCount of ${this.settings.maxDequeueCount}. ` +
        `Moving message to queue '${this.poisonQueue.name}'.`,
      { functionName: this.fn.name },
    );
    await this.poisonQueue.sendMessage(message.messageText);
    await lease.finish((receipt) => this.queue.deleteMessage(message.messageId, receipt));
  }
}
