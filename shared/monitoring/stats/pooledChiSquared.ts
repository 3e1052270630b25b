import { chiSquaredHomogeneity, type ChiSquaredResult } from './chiSquared';

/** Cochran's rule: the chi-squared approximation holds when every expected count is at least 5. */
export const MIN_EXPECTED_COUNT = 5;

/**
 * Pearson chi-squared on [baseline; window] after pooling sparse columns. With a small
 * baseline and many categories (or many bins) most expected counts are below 5, where the
 * chi-squared distribution under-states the statistic's tail and same-distribution data
 * would look significant. Columns whose smaller expected count is below 5 are pooled into
 * one; while that pool is itself too small, the next-smallest column joins it. A category
 * seen only in the window (the `__other__` column of a new value) is large in total and so
 * stays its own column: pooling does not hide it.
 */
export function pooledChiSquared(baseline: readonly number[], window: readonly number[]): ChiSquaredResult & { pooledColumns: number } {
  const totalB = sum(baseline);
  const totalW = sum(window);
  const total = totalB + totalW;
  if (totalB === 0 || totalW === 0) return { ...chiSquaredHomogeneity(baseline, window), pooledColumns: 0 };
  const smaller = Math.min(totalB, totalW) / total;
  const columns = baseline
    .map((b, i) => ({ b, w: window[i] ?? 0 }))
    .filter((c) => c.b + c.w > 0)
    .sort((x, y) => x.b + x.w - (y.b + y.w));
  const expected = (c: { b: number; w: number }) => (c.b + c.w) * smaller;
  const pool = { b: 0, w: 0 };
  let pooled = 0;
  while (columns.length > 0 && (expected(columns[0]!) < MIN_EXPECTED_COUNT || (pooled > 0 && expected(pool) < MIN_EXPECTED_COUNT))) {
    const c = columns.shift()!;
    pool.b += c.b;
    pool.w += c.w;
    pooled++;
  }
  const kept = pooled > 0 ? [...columns, pool] : columns;
  return { ...chiSquaredHomogeneity(kept.map((c) => c.b), kept.map((c) => c.w)), pooledColumns: pooled };
}

function sum(xs: readonly number[]): number {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}
