/**
 * The conditional binomial likelihood ratio behind canary analysis.
 *
 * Given the x = x_c + x_s bad events of an interval, under H0 (equal rates) the canary's
 * share is x_c ~ Binomial(x, w) with w = n_c / (n_c + n_s). Under relative risk r it is
 * Binomial(x, q) with q = r·w / (r·w + 1 − w). Per interval
 *   log LR = x_c·a + x_s·b,  b = log((1−q)/(1−w)) = −log(1 + (r−1)·w),  a = log(q/w) = log r + b.
 * Written this way there is no division by w or 1 − w and no cancellation for small w.
 */
// Math's functions as module constants: under Jest's vm sandbox every `Math.` lookup goes
// through the sandbox's global object and made long simulations ~5x slower.
const { log, log1p, exp } = Math;
export interface LogRatioTerms {
  /** log LR contributed by one canary bad event. */
  canary: number;
  /** log LR contributed by one stable bad event. */
  stable: number;
}

export function logRatioTerms(risk: number, canaryShare: number): LogRatioTerms {
  const stable = -log1p((risk - 1) * canaryShare);
  return { canary: log(risk) + stable, stable };
}

/** Grid of relative risks the mixture averages over: r > 1 for 'worse', plus 1/r for two-sided. */
export function mixtureRisks(riskGrid: readonly number[], twoSided: boolean): number[] {
  return twoSided ? [...riskGrid, ...riskGrid.map((r) => 1 / r)] : [...riskGrid];
}

/** log(Σ exp(v_i) / n): the equal-weight mixture of per-grid-point likelihood ratios. */
export function logMeanExp(values: readonly number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (const v of values) sum += exp(v - max);
  return max + log(sum / values.length);
}
