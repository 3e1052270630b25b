import { normalCdf, normalQuantile } from '../../rollout/normal';
import { discordantLowerTail, discordantUpperTail, EXACT_BELOW } from './mcnemar';

/**
 * What a paired test says about the improvement Δ of the candidate over the champion
 * (positive = candidate better, whatever the metric's direction), in one shape for every test
 * so the gate decides the same way for all of them.
 */
export interface PairedEvidence {
  /** The test's name as the verdict shows it, e.g. "DeLong". */
  test: string;
  rows: number;
  /** The point estimate of Δ on these rows. */
  improvement: number;
  /** Standard error of the estimate (for the rows-needed estimate). */
  standardError: number;
  /** One-sided p-value of H0 "Δ ≤ m" (small: the candidate is better than by m). */
  pAbove(m: number): number;
  /** One-sided p-value of H0 "Δ ≥ m" (small: the candidate falls short of m). */
  pBelow(m: number): number;
  /** [lower, upper]: each a one-sided 1 − alpha bound, so together a 1 − 2·alpha interval. */
  interval(alpha: number): [number, number];
}

/**
 * The same evidence with no p-value below `floor`, and the improvement's whole `range` as
 * interval while the floor exceeds alpha (so the interval still agrees with the p-values).
 */
export function withPValueFloor(evidence: PairedEvidence, floor: number, range: [number, number]): PairedEvidence {
  return {
    ...evidence,
    pAbove: (m) => Math.max(floor, evidence.pAbove(m)),
    pBelow: (m) => Math.max(floor, evidence.pBelow(m)),
    interval: (alpha) => (floor <= alpha ? evidence.interval(alpha) : range),
  };
}

/** A normal (Wald) test, as DeLong's: Δ̂ ~ N(Δ, se²). */
export function normalEvidence(test: string, rows: number, improvement: number, standardError: number): PairedEvidence {
  const z = (m: number) => (improvement - m) / standardError;
  return {
    test,
    rows,
    improvement,
    standardError,
    pAbove: (m) => (standardError > 0 ? 1 - normalCdf(z(m)) : improvement > m ? 0 : 1),
    pBelow: (m) => (standardError > 0 ? normalCdf(z(m)) : improvement < m ? 0 : 1),
    interval: (alpha) => {
      const q = normalQuantile(1 - alpha) * standardError;
      return [improvement - q, improvement + q];
    },
  };
}

/**
 * McNemar's test generalised to a margin: Δ = (b − c)/n, and given N = b + c discordant rows,
 * "Δ ≤ m" is "π ≤ (1 + m·n/N)/2" for b ~ binomial(N, π). At m = 0 this is McNemar's one-sided
 * test (exact below EXACT_BELOW discordant rows). The interval inverts the same test, so it
 * agrees with the p-values at every level.
 */
export function mcnemarEvidence(rows: number, b: number, c: number): PairedEvidence {
  const discordant = b + c;
  const improvement = (b - c) / rows;
  const pi0 = (m: number) => (1 + (m * rows) / discordant) / 2;
  const pAbove = (m: number) => (discordant === 0 ? (m >= 0 ? 1 : 0) : discordantUpperTail(b, discordant, pi0(m)));
  const pBelow = (m: number) => (discordant === 0 ? (m <= 0 ? 1 : 0) : discordantLowerTail(b, discordant, pi0(m)));
  const span = discordant / rows;
  return {
    test: discordant < EXACT_BELOW ? 'McNemar (exact binomial)' : 'McNemar (normal, continuity-corrected)',
    rows,
    improvement,
    standardError: Math.sqrt(Math.max(0, span - improvement * improvement) / rows),
    pAbove,
    pBelow,
    // pAbove grows with m and pBelow falls: bisect for where each crosses alpha.
    interval: (alpha) => [bisect(-span, span, (m) => pAbove(m) > alpha), bisect(-span, span, (m) => pBelow(m) <= alpha)],
  };
}

/** The smallest m in [low, high] where `crossed(m)` turns true (it is monotone); low/high when always/never. */
function bisect(low: number, high: number, crossed: (m: number) => boolean): number {
  if (crossed(low)) return low;
  if (!crossed(high)) return high;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (crossed(mid)) high = mid;
    else low = mid;
  }
  return (low + high) / 2;
}

/** A percentile bootstrap: p-values from the share of replicates on the far side of m (+1 so none is 0). */
export function bootstrapEvidence(rows: number, improvement: number, sortedReplicates: Float64Array): PairedEvidence {
  const b = sortedReplicates.length;
  const finite = sortedReplicates.filter(Number.isFinite);
  const mean = finite.reduce((s, v) => s + v, 0) / finite.length;
  const sd = Math.sqrt(finite.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, finite.length - 1));
  const atMost = (m: number) => countAtMost(finite, m);
  const quantile = (q: number) => finite[Math.min(finite.length - 1, Math.max(0, Math.floor(q * finite.length)))]!;
  return {
    test: `paired bootstrap (${b} resamples)`,
    rows,
    improvement,
    standardError: sd,
    pAbove: (m) => (atMost(m) + 1) / (finite.length + 1),
    pBelow: (m) => (finite.length - countBelow(finite, m) + 1) / (finite.length + 1),
    interval: (alpha) => [quantile(alpha), quantile(1 - alpha)],
  };
}

function countAtMost(sorted: Float64Array, m: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= m) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countBelow(sorted: Float64Array, m: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < m) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
