/**
 * Event Grid's delivery retry policy: an exponential schedule (10 s, 30 s, 1 min, 5 min,
 * 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h) and per-status rules from the Azure
 * docs ("Event Grid message delivery and retry"). `scale` shrinks the waits for tests.
 */
const SCHEDULE_SECONDS = [10, 30, 60, 5 * 60, 10 * 60, 30 * 60, 3600, 3 * 3600, 6 * 3600, 12 * 3600];

/** Statuses Event Grid does not retry: the event goes straight to dead-letter. */
const NOT_RETRIED = new Set([400, 403, 413]);

/** Minimum waits Event Grid applies for some statuses, in seconds. */
const MINIMUM_BY_STATUS: Record<number, number> = { 401: 300, 404: 300, 408: 120, 503: 30 };

export interface RetryDecision {
  retry: boolean;
  delayMs: number;
}

/**
 * What to do after failed delivery attempt number `attempt` (1-based) that ended with
 * `status` (undefined = network error or timeout).
 */
export function eventGridRetryDelay(attempt: number, status: number | undefined, scale = 1): RetryDecision {
  if (status !== undefined && NOT_RETRIED.has(status)) return { retry: false, delayMs: 0 };
  const base = SCHEDULE_SECONDS[Math.min(attempt, SCHEDULE_SECONDS.length) - 1] ?? SCHEDULE_SECONDS[0]!;
  const seconds = Math.max(base, status === undefined ? 0 : (MINIMUM_BY_STATUS[status] ?? 0));
  return { retry: true, delayMs: Math.round(seconds * 1000 * scale) };
}
