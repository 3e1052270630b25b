/**
 * Regression metrics the trainer reports and the evaluation gate compares, defined as
 * scikit-learn defines them (root_mean_squared_error, mean_absolute_error, r2_score,
 * mean_absolute_percentage_error) so numbers can be checked against it.
 */

export interface RegressionMetrics {
  rmse: number;
  mae: number;
  /** 1 − SSE/SST; with a constant target, 1 for a perfect fit and 0 otherwise (scikit-learn's force_finite). */
  r2: number;
  /** A share, not a percentage (0.12 is 12 %); absent when a target is 0, where it is undefined. */
  mape?: number;
}

/**
 * All regression metrics of predictions against true values. Throws RangeError on a length
 * mismatch and on a value that is not a finite number: a NaN would silently poison every sum,
 * and NaN cannot be stored in a release record (checkMetrics).
 */
export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  if (yTrue.length !== yPred.length) throw new RangeError(`yPred has ${yPred.length} entries but yTrue has ${yTrue.length}`);
  const n = yTrue.length;
  if (n === 0) return { rmse: Number.NaN, mae: Number.NaN, r2: Number.NaN };
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const y = yTrue[i]!;
    const p = yPred[i]!;
    if (!Number.isFinite(y)) throw new RangeError(`yTrue[${i}] is ${y}, not a finite number`);
    if (!Number.isFinite(p)) throw new RangeError(`yPred[${i}] is ${p}, not a finite number`);
    mean += (y - mean) / (i + 1); // running mean: no overflow of a sum of large targets
  }
  // Errors and deviations are summed in units of a power of two near the largest (exact, so
  // ordinary targets give the same bits): squares of 1e200 would overflow to Infinity (rmse
  // Infinity, r2 NaN) and of 1e-200 underflow to 0 (rmse 0 beside a positive mae).
  let largest = 0;
  for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(yTrue[i]! - yPred[i]!), Math.abs(yTrue[i]! - mean));
  const unit = powerOfTwoScale(largest);
  let squared = 0;
  let absolute = 0;
  let total = 0;
  let relative = 0;
  let zeroTarget = false;
  for (let i = 0; i < n; i++) {
    const y = yTrue[i]!;
    const e = y - yPred[i]!;
    const es = e / unit;
    const ds = (y - mean) / unit;
    squared += es * es;
    absolute += Math.abs(es);
    total += ds * ds;
    if (y === 0) zeroTarget = true;
    else relative += Math.abs(e) / Math.abs(y);
  }
  const r2 = total === 0 ? (squared === 0 ? 1 : 0) : 1 - squared / total;
  const metrics: RegressionMetrics = { rmse: unit * Math.sqrt(squared / n), mae: unit * (absolute / n), r2 };
  if (!zeroTarget) metrics.mape = relative / n;
  return metrics;
}

/** A power of two near `largest` (1 for 0 and for ordinary magnitudes), to divide by without rounding. */
export function powerOfTwoScale(largest: number): number {
  if (!(largest > 0) || !Number.isFinite(largest)) return 1;
  const exponent = Math.floor(Math.log2(largest));
  // Within 2^±400 squares of n rows neither overflow nor underflow: keep the plain sums (same bits as before).
  return Math.abs(exponent) < 400 ? 1 : 2 ** exponent;
}
