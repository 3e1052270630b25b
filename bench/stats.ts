/**
 * Percentile by linear interpolation between closest ranks (numpy's default), so p50 of an
 * even count is the mean of the middle two. With 20 samples p99 lies between the two largest.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of no values');
  if (p < 0 || p > 100) throw new RangeError(`percentile must be 0-100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/** Milliseconds between a recorded ISO timestamp and an epoch-ms origin (same machine clock). */
export function msSince(origin: number, iso: string | undefined): number | undefined {
  return iso === undefined ? undefined : Date.parse(iso) - origin;
}
