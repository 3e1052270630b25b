export interface RetryDelayOptions {
  /** Wait before the second attempt; doubled for each further one. @default 30 */
  backoffSeconds?: number;
  /** No wait is longer than this, Retry-After included. @default 3600 */
  maxBackoffSeconds?: number;
}

/**
 * Seconds to wait before attempt `attempt + 1`: exponential (30 s, 1 min, 2 min, … capped),
 * and never less than the receiver's Retry-After (429 and 503 send it: RFC 9110 §10.2.3).
 */
export function retryDelaySeconds(attempt: number, retryAfterSeconds: number | undefined, options: RetryDelayOptions = {}): number {
  const base = options.backoffSeconds ?? 30;
  const max = options.maxBackoffSeconds ?? 3600;
  const exponential = base * 2 ** Math.max(0, attempt - 1);
  return Math.min(max, Math.max(exponential, retryAfterSeconds ?? 0));
}

/** Retry-After as seconds from `now`: delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}
