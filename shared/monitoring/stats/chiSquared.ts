/**
 * Pearson's chi-squared test of homogeneity and its survival function.
 *
 * Written here because no well-kept statistics package is installed. The regularized upper
 * incomplete gamma Q(a, x) follows Numerical Recipes (3rd ed., §6.2): the series for
 * x < a + 1 and the modified-Lentz continued fraction otherwise, both to ~1e-15 relative
 * accuracy; log Γ is Lanczos (g = 7, 9 terms, as in scipy's cephes-free fallbacks).
 */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a). */
export function upperRegularizedGamma(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`upperRegularizedGamma needs a > 0, got ${a}`);
  if (x <= 0) return 1;
  const logPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x); Q = 1 − P.
    let term = 1 / a;
    let total = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      total += term;
      if (Math.abs(term) < Math.abs(total) * 1e-16) break;
    }
    return Math.max(0, 1 - total * Math.exp(logPrefix));
  }
  // Continued fraction for Q (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.min(1, Math.exp(logPrefix) * h);
}

/** P(X > x) for X ~ χ²(dof). */
export function chiSquaredSurvival(x: number, dof: number): number {
  if (dof <= 0) return 1;
  return upperRegularizedGamma(dof / 2, x / 2);
}

export interface ChiSquaredResult {
  statistic: number;
  dof: number;
  pValue: number;
}

/**
 * Pearson chi-squared on the 2×K table [baseline; window], without Yates' correction (scipy
 * `chi2_contingency(table, correction=False)`). Columns empty in both rows are dropped.
 */
export function chiSquaredHomogeneity(baseline: readonly number[], window: readonly number[]): ChiSquaredResult {
  const columns = baseline.map((b, i) => [b, window[i] ?? 0] as const).filter(([b, w]) => b + w > 0);
  const totalB = columns.reduce((a, [b]) => a + b, 0);
  const totalW = columns.reduce((a, [, w]) => a + w, 0);
  const total = totalB + totalW;
  const dof = columns.length - 1;
  if (dof < 1 || totalB === 0 || totalW === 0) return { statistic: 0, dof: Math.max(0, dof), pValue: 1 };
  let statistic = 0;
  for (const [b, w] of columns) {
    const expectedB = ((b + w) * totalB) / total;
    const expectedW = ((b + w) * totalW) / total;
    statistic += (b - expectedB) ** 2 / expectedB + (w - expectedW) ** 2 / expectedW;
  }
  return { statistic, dof, pValue: chiSquaredSurvival(statistic, dof) };
}
