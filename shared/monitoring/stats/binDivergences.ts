/**
 * Divergences between two count vectors over the same bins or categories.
 */

/** @default epsilon for empty bins in PSI: a proportion of 1e-4 (one in ten thousand). */
export const PSI_EPSILON = 1e-4;

/**
 * Population stability index Σ (w_i − b_i)·ln(w_i / b_i) over proportions. A bin empty on
 * either side would make the term infinite, so proportions are floored at `epsilon` (both
 * sides, before the log; not renormalised). This is the convention of most monitoring tools
 * (Evidently, NannyML use 1e-4 too); the fixtures compute it with the same formula.
 */
export function populationStabilityIndex(baseline: readonly number[], window: readonly number[], epsilon = PSI_EPSILON): number {
  const totalB = total(baseline);
  const totalW = total(window);
  if (totalB === 0 || totalW === 0) return 0;
  let psi = 0;
  for (let i = 0; i < baseline.length; i++) {
    const b = Math.max(baseline[i]! / totalB, epsilon);
    const w = Math.max((window[i] ?? 0) / totalW, epsilon);
    psi += (w - b) * Math.log(w / b);
  }
  return psi;
}

/**
 * Jensen–Shannon DISTANCE in base 2 (the square root of the divergence), bounded in [0, 1];
 * identical to scipy.spatial.distance.jensenshannon(p, q, base=2), which normalises both vectors.
 */
export function jensenShannonDistance(baseline: readonly number[], window: readonly number[]): number {
  const totalB = total(baseline);
  const totalW = total(window);
  if (totalB === 0 || totalW === 0) return 0;
  let divergence = 0;
  for (let i = 0; i < baseline.length; i++) {
    const p = baseline[i]! / totalB;
    const q = (window[i] ?? 0) / totalW;
    const m = (p + q) / 2;
    if (p > 0) divergence += p * Math.log(p / m);
    if (q > 0) divergence += q * Math.log(q / m);
  }
  return Math.sqrt(Math.max(0, divergence / 2 / Math.LN2));
}

function total(counts: readonly number[]): number {
  let t = 0;
  for (const c of counts) t += c;
  return t;
}
