import type { QueueClient } from '@azure/storage-queue';
import { ensureError } from '../shared/errors';

/**
 * Keeps a received queue message invisible while its handler runs by pushing its
 * visibility out every half lease, so a slow step is not delivered twice. Every call
 * that needs the pop receipt goes through one chain, because each update issues a new
 * receipt and a delete with a stale one fails.
 */
export class MessageLease {
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  lost = false;

  constructor(
    private readonly queue: QueueClient,
    private readonly messageId: string,
    private popReceipt: string,
    private readonly leaseSeconds: number,
    private readonly onError: (message: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.renew(), (this.leaseSeconds * 1000) / 2);
    this.timer.unref();
  }

  private renew(): Promise<void> {
    return this.enqueue(async () => {
      if (this.lost) return;
      try {
        const response = await this.queue.updateMessage(this.messageId, this.popReceipt, undefined, this.leaseSeconds);
        if (response.popReceipt) this.popReceipt = response.popReceipt;
      } catch (error) {
        this.lost = true;
        this.onError(`could not extend the visibility of message ${this.messageId}: ${ensureError(error).message}`);
      }
    });
  }

  /** Stops renewing and runs the final operation (delete or release) with the current receipt. */
  async finish(operation: (popReceipt: string) => Promise<unknown>): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.enqueue(() => operation(this.popReceipt));
  }

  private enqueue(step: () => Promise<unknown>): Promise<void> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => undefined);
    return next.then(() => undefined);
  }
}
