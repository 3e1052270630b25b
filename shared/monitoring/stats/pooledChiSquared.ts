import { chiSquaredHomogeneity, type ChiSquaredResult } from './chiSquared';

/** Cochran's rule: the chi-squared approximation holds when every expected count is at least 5. */
export const MIN_EXPECTED_COUNT = 5;

/**
 * Pearson chi-squared on [baseline; window] after pooling sparse columns. With a small
 * baseline and many categories (or many bins) most expected counts are below 5, where the
 * chi-squared distribution under-states the statistic's tail and same-distribution data
 * would look significant. Columns whose smaller expected count is below 5 are pooled into
 * one; while that pool is itself too small, the next-smallest column joins it. The column
 * `options.unseen` (a categorical feature's `__other__`: values the baseline did not list)
 * stays out of the pool once the window has 5 values there: pooled with the rare categories,
 * a new category in 5% of rows would be diluted away.
 */
export function pooledChiSquared(
  baseline: readonly number[],
  window: readonly number[],
  options: { unseen?: number } = {},
): ChiSquaredResult & { pooledColumns: number } {
  const totalB = sum(baseline);
  const totalW = sum(window);
  const total = totalB + totalW;
  if (totalB === 0 || totalW === 0) return { ...chiSquaredHomogeneity(baseline, window), pooledColumns: 0 };
  const smaller = Math.min(totalB, totalW) / total;
  const all = baseline.map((b, i) => ({ b, w: window[i] ?? 0, i })).filter((c) => c.b + c.w > 0);
  const isProtected = (c: { w: number; i: number }) => c.i === options.unseen && c.w >= MIN_EXPECTED_COUNT;
  const kept = all.filter(isProtected);
  const columns = all.filter((c) => !isProtected(c)).sort((x, y) => x.b + x.w - (y.b + y.w));
  const expected = (c: { b: number; w: number }) => (c.b + c.w) * smaller;
  const pool = { b: 0, w: 0 };
  let pooled = 0;
  while (columns.length > 0 && (expected(columns[0]!) < MIN_EXPECTED_COUNT || (pooled > 0 && expected(pool) < MIN_EXPECTED_COUNT))) {
    const c = columns.shift()!;
    pool.b += c.b;
    pool.w += c.w;
    pooled++;
  }
  const tested = [...kept, ...columns, ...(pooled > 0 ? [pool] : [])];
  return {
    ...chiSquaredHomogeneity(
      tested.map((c) => c.b),
      tested.map((c) => c.w),
    ),
    pooledColumns: pooled,
  };
}

function sum(xs: readonly number[]): number {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}
