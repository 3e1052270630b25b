/** The first wait after an empty poll; the real host's minimum polling interval. */
export const MIN_POLL_DELAY_MS = 100;

/**
 * Delay before the next poll of a queue: doubles from 100 ms after each empty poll up
 * to `maxPollingIntervalMs` (host.json `queues.maxPollingInterval`), and drops back to
 * zero as soon as a poll returns messages.
 */
export function nextPollDelay(previousMs: number, gotMessages: boolean, maxPollingIntervalMs: number): number {
  if (gotMessages) return 0;
  const doubled = previousMs <= 0 ? MIN_POLL_DELAY_MS : previousMs * 2;
  return Math.min(doubled, Math.max(maxPollingIntervalMs, MIN_POLL_DELAY_MS));
}
