import type { MetricName } from './metricName';

/** One data-quality comparison: `n` is the sample size it rests on, compared only when n ≥ minimum. */
export type QualityCheck = { metric: MetricName; breached: boolean; reason: string; n: number; minimum: number };

/** A "value > threshold" comparison; a null threshold switches it off (never evaluated). */
export function qualityCheck(
  metric: MetricName,
  threshold: number | null,
  value: number,
  reason: string,
  n: number,
  minimum: number,
): QualityCheck {
  return { metric, breached: threshold !== null && value > threshold, reason, n, minimum: threshold === null ? Infinity : minimum };
}
