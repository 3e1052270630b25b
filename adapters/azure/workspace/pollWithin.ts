import { setTimeout as sleep } from 'node:timers/promises';

/** The part of the SDK's poller (core-lro 2) this needs. */
export interface StoppablePoller {
  isDone(): boolean;
  poll(): Promise<void>;
  stopPolling(): void;
}

/**
 * Polls a long-running ARM operation for at most `budgetMs`, then stops polling and says
 * whether it finished. The operation goes on in Azure either way: a deployment takes
 * minutes, longer than one function invocation (and its lease) should wait, so the caller
 * looks again in a later step instead of holding the invocation.
 */
export async function pollWithin(poller: StoppablePoller, budgetMs: number, intervalMs: number): Promise<boolean> {
  const deadline = Date.now() + budgetMs;
  while (!poller.isDone() && Date.now() < deadline) {
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
    await poller.poll();
  }
  const done = poller.isDone();
  poller.stopPolling();
  return done;
}
