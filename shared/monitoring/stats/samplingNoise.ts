import { PSI_EPSILON } from './binDivergences';
import type { WeightedSample } from './sampleDistances';

/**
 * What PSI, Jensen–Shannon and Wasserstein measure between two samples of the SAME
 * distribution, on average, for the sample sizes at hand: the floor below which a value is
 * sampling noise. Used to bias-correct the effect sizes before they meet their practical
 * thresholds (a 114-row baseline and a 1,700-row window give PSI ≈ 0.2 with no drift at all).
 *
 * Derivations (second-order expansion around the common proportions p over k occupied bins,
 * baseline n values, window m values; each proportion's difference has variance
 * p(1 − p)(1/n + 1/m)):
 * - PSI = Σ (w − b)·ln(w/b) ≈ Σ (w − b)²/p, so E ≈ (k − 1)(1/n + 1/m);
 * - JS divergence (bits) ≈ Σ (w − b)²/(8p·ln 2), so E ≈ (k − 1)(1/n + 1/m)/(8 ln 2);
 * - W1 = ∫|F_n − F_m| dx with F_n − F_m ≈ N(0, F(1 − F)(1/n + 1/m)) at each x, so
 *   E ≈ √(2/π)·√(1/n + 1/m)·∫√(F(1 − F)) dx (the integral from the baseline's own CDF).
 * Bins (or a category column) empty in the baseline get the window's expected share of
 * values the baseline never saw: 1/(n + 1) beyond each end of a numeric baseline (the mass
 * beyond the largest of n draws), the Good–Turing share (categories seen once)/n for new
 * categories. Each such bin adds (q − ε)·ln(q/ε) to PSI and q/2 to the JS divergence.
 */
export interface NoiseFloor {
  psi: number;
  /** On the divergence scale (the JS distance squared). */
  jsDivergence: number;
  /** In baseline standard deviations, like the normalized Wasserstein. */
  wasserstein?: number;
}

/** PSI and JS noise over bins or categories. `unseenShare(i)` estimates the mass of bin i when the baseline has none there. */
export function binNoise(baseline: readonly number[], windowValues: number, unseenShare: (bin: number) => number): NoiseFloor {
  const n = baseline.reduce((a, b) => a + b, 0);
  if (n === 0 || windowValues === 0) return { psi: 0, jsDivergence: 0 };
  const spread = 1 / n + 1 / windowValues;
  const occupied = baseline.filter((b) => b > 0).length;
  let psi = Math.max(0, occupied - 1) * spread;
  let jsDivergence = (Math.max(0, occupied - 1) * spread) / (8 * Math.LN2);
  baseline.forEach((b, i) => {
    if (b > 0) return;
    const q = unseenShare(i);
    if (q > PSI_EPSILON) psi += (q - PSI_EPSILON) * Math.log(q / PSI_EPSILON);
    jsDivergence += q / 2;
  });
  return { psi, jsDivergence };
}

/** E[W1] between two same-distribution samples of n and m values, divided by `scale` (the baseline std). */
export function wassersteinNoise(baseline: WeightedSample, n: number, m: number, scale: number): number {
  const { values, weights } = baseline;
  let total = 0;
  for (const w of weights) total += w;
  if (total === 0 || n === 0 || m === 0) return 0;
  let cumulative = 0;
  let integral = 0;
  for (let i = 0; i + 1 < values.length; i++) {
    cumulative += weights[i]!;
    const f = cumulative / total;
    integral += Math.sqrt(f * (1 - f)) * (values[i + 1]! - values[i]!);
  }
  return (Math.sqrt(2 / Math.PI) * Math.sqrt(1 / n + 1 / m) * integral) / scale;
}

/** Effect sizes with their noise floor taken out (never below 0), each on the scale where noise adds. */
export function correctedEffects(raw: { psi: number; jensenShannon: number; wasserstein?: number }, noise: NoiseFloor) {
  return {
    psi: Math.max(0, raw.psi - noise.psi),
    jensenShannon: Math.sqrt(Math.max(0, raw.jensenShannon ** 2 - noise.jsDivergence)),
    ...(raw.wasserstein !== undefined ? { wasserstein: Math.sqrt(Math.max(0, raw.wasserstein ** 2 - (noise.wasserstein ?? 0) ** 2)) } : {}),
  };
}
