/**
 * p-values of the two-sample Kolmogorov–Smirnov statistic (two-sided).
 *
 * - `ksPValueExact(d, m, n)`: P(D ≥ d) under H0 counted over all C(m+n, n) equally likely
 *   orderings (the lattice-path method scipy's `ks_2samp(method='exact')` uses), as a
 *   probability recurrence so nothing overflows. O(m·n) time, O(n) memory; assumes no ties,
 *   like scipy.
 * - `ksPValueAsymptotic(d, m, n)`: the limiting Kolmogorov distribution
 *   Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²} at λ = (√e + 0.12 + 0.11/√e)·d with
 *   e = m·n/(m+n) (Stephens' finite-sample correction, as in Numerical Recipes §14.3 and
 *   scipy < 1.5). scipy ≥ 1.5's `method='asymp'` instead evaluates the exact one-sample
 *   distribution at n = round(e); the fixtures record both and how far apart they are.
 */
export function ksPValueAsymptotic(d: number, m: number, n: number): number {
  if (!(d > 0)) return 1;
  const e = Math.sqrt((m * n) / (m + n));
  return kolmogorovSurvival((e + 0.12 + 0.11 / e) * d);
}

/** Q_KS(λ) = P(K > λ) of the Kolmogorov distribution (scipy.special.kolmogorov). */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda <= 0) return 1;
  if (lambda < 1) {
    // The alternating series converges slowly for small λ; use the theta-function form:
    // P(K ≤ λ) = √(2π)/λ Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)}.
    let cdf = 0;
    for (let k = 1; k <= 20; k++) cdf += Math.exp((-((2 * k - 1) ** 2) * Math.PI ** 2) / (8 * lambda * lambda));
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * cdf));
  }
  let total = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    total += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-300) break;
  }
  return Math.min(1, Math.max(0, 2 * total));
}

/**
 * Exact P(D ≥ d) for samples of sizes m and n. `d` must be the observed statistic (a
 * multiple of 1/lcm(m, n)); paths that stay strictly inside |i/m − j/n| < d never reach it.
 */
export function ksPValueExact(d: number, m: number, n: number): number {
  if (!(d > 0)) return 1;
  // Integer lattice: a point is on or past the boundary when |i·n − j·m| ≥ h, h = d·m·n
  // (rounded; d is a ratio of integers). q(i, j) = P(a random path to (i, j) has touched the
  // boundary) = 1 there, else q(i−1, j)·i/(i+j) + q(i, j−1)·j/(i+j). Tracking the touched
  // share directly (not 1 − stayed-inside) keeps tiny p-values accurate: no cancellation.
  const h = Math.round(d * m * n);
  let row = new Float64Array(n + 1);
  for (let j = 1; j <= n; j++) row[j] = j * m >= h ? 1 : row[j - 1]!;
  for (let i = 1; i <= m; i++) {
    const next = new Float64Array(n + 1);
    next[0] = i * n >= h ? 1 : row[0]!;
    for (let j = 1; j <= n; j++) {
      next[j] = Math.abs(i * n - j * m) >= h ? 1 : (row[j]! * i + next[j - 1]! * j) / (i + j);
    }
    row = next;
  }
  return Math.min(1, Math.max(0, row[n]!));
}

/** @default exact p-values up to m·n = 1e6 (a few ms); the asymptotic form beyond. */
export const EXACT_KS_MAX_PRODUCT = 1_000_000;
