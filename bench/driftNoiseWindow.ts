/**
 * Synthetic data for bench section 16 (bench/driftNoise.ts): the rows of a baseline or a small
 * window, and the fast path for large windows, whose statistics are drawn directly instead of
 * from 10^5–10^6 rows per replication.
 */
import { createRng, type Rng } from '../examples/tabular/lib/random';
import type { BaselineProfile, WindowProfile } from '../shared/monitoring/stats';
import { binOf } from '../shared/monitoring/stats/numericBins';

export const CATEGORIES = ['a', 'b', 'c', 'd', 'e', 'f'];
export const CATEGORY_WEIGHTS = [0.35, 0.25, 0.15, 0.12, 0.08, 0.05];
export const NEW_CATEGORY = 'new';
export const COLUMNS = ['x', 'y', 'c'];

/** What differs from the baseline's distribution: `x` moved by `shift` sd; `c` is `new` in `newShare` of rows. */
export interface Scenario {
  shift: number;
  newShare: number;
}

/** x ~ N(shift, 1); y ~ log-normal(0, 0.5) (skewed, untouched); c from 6 unequal categories, or `new`. */
export function rows(rng: Rng, n: number, s: Scenario): unknown[][] {
  const out: unknown[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.next() < s.newShare ? NEW_CATEGORY : CATEGORIES[rng.pick(CATEGORY_WEIGHTS)]!;
    out[i] = [rng.normal() + s.shift, Math.exp(0.5 * rng.normal()), c];
  }
  return out;
}

/** Cells of equal probability the large windows are drawn in: each cell's values collapse onto its middle quantile. */
export const CELLS = 4096;

/**
 * The window profile of `n` rows drawn directly (what was simulated, exactly): for x and y, the
 * counts in CELLS equiprobable cells of the true distribution are one multinomial(n, 1/CELLS)
 * draw; every value of a cell is taken at the cell's middle quantile, so the window's CDF is
 * exact at the cell edges and off by at most 1/CELLS (0.024%) of rank inside a cell, 8x less
 * than a real KLL sketch's bound. The sketch holds each cell's count in binary (weight-2^h
 * items on level h), bin counts and moments come from the same cells. c's counts are one
 * multinomial draw over the categories and `new`. Rows are all present and all valid.
 */
export function drawWindow(rng: Rng, baseline: BaselineProfile, n: number, s: Scenario): WindowProfile {
  const x = numericWindow(rng, baseline, 'x', n, (p) => inverseNormal(p) + s.shift);
  const y = numericWindow(rng, baseline, 'y', n, (p) => Math.exp(0.5 * inverseNormal(p)));
  const profile = baseline.features.find((f) => f.name === 'c')!;
  if (profile.type !== 'categorical') throw new Error('c must be categorical');
  const weights = [...CATEGORIES.map((_, i) => CATEGORY_WEIGHTS[i]! * (1 - s.newShare)), s.newShare];
  const drawn = multinomial(rng, n, weights);
  const byName = new Map([...CATEGORIES, NEW_CATEGORY].map((name, i) => [name, drawn[i]!]));
  const listed = profile.categories.map((c) => byName.get(c.value) ?? 0);
  const unseen = [...byName].filter(([name]) => !profile.categories.some((c) => c.value === name) && byName.get(name)! > 0);
  const c = {
    name: 'c',
    type: 'categorical' as const,
    count: n,
    missing: 0,
    absent: 0,
    counts: [...listed, unseen.reduce((a, [, k]) => a + k, 0)],
    unseen: { capacity: 50, counts: Object.fromEntries(unseen), undercount: 0 },
  };
  return { schemaVersion: 1, rows: n, features: [x, y, c] };
}

function numericWindow(rng: Rng, baseline: BaselineProfile, name: string, n: number, quantile: (p: number) => number) {
  const profile = baseline.features.find((f) => f.name === name)!;
  if (profile.type !== 'numeric') throw new Error(`${name} must be numeric`);
  const counts = multinomial(rng, n, new Array<number>(CELLS).fill(1));
  const levels: number[][] = [];
  const binCounts = new Array<number>(profile.binCounts.length).fill(0);
  let outOfRange = 0;
  let min = Infinity;
  let max = -Infinity;
  let mean = 0;
  let m2 = 0;
  let seen = 0;
  counts.forEach((count, cell) => {
    if (count === 0) return;
    const value = quantile((cell + 0.5) / CELLS);
    for (let h = 0; count >> h > 0; h++) if ((count >> h) & 1) (levels[h] ??= []).push(value);
    binCounts[binOf(profile.binEdges, value)]! += count;
    if (value < profile.validRange.min || value > profile.validRange.max) outOfRange += count;
    min = Math.min(min, value);
    max = Math.max(max, value);
    // Chan et al.'s merge of `count` equal values into the running moments.
    const total = seen + count;
    const delta = value - mean;
    mean += (delta * count) / total;
    m2 += (delta * delta * seen * count) / total;
    seen = total;
  });
  for (let h = 0; h < levels.length; h++) levels[h] ??= [];
  return {
    name,
    type: 'numeric' as const,
    count: n,
    missing: 0,
    absent: 0,
    typeErrors: 0,
    typeErrorExamples: [],
    outOfRange,
    binCounts,
    moments: { n, mean, m2 },
    sketch: { k: baseline.settings.sketchK, n, min, max, rng: 0, levels },
  };
}

/** One multinomial draw as sequential conditional binomials. */
function multinomial(rng: Rng, n: number, weights: readonly number[]): number[] {
  let left = n;
  let mass = weights.reduce((a, w) => a + w, 0);
  return weights.map((w) => {
    const k = mass <= 0 ? 0 : binomial(rng, left, Math.min(1, w / mass));
    left -= k;
    mass -= w;
    return k;
  });
}

/**
 * Binomial(n, p): counting uniforms while n·p is small (exact), else the normal approximation
 * with continuity correction, clamped to [0, n] (n·p ≥ 50 here: skewness below 0.15).
 */
function binomial(rng: Rng, n: number, p: number): number {
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  const mean = n * p;
  if (mean < 50 || n * (1 - p) < 50) {
    if (n <= 2000) {
      let k = 0;
      for (let i = 0; i < n; i++) if (rng.next() < p) k++;
      return k;
    }
    // Poisson waiting times: exact for the binomial's small-p limit (here p ≤ 50/n < 0.025).
    if (p > 0.5) return n - binomial(rng, n, 1 - p);
    let k = 0;
    let t = -Math.log(1 - rng.next()) / n;
    const limit = -Math.log(1 - p);
    while (t <= limit && k < n) {
      k++;
      t += -Math.log(1 - rng.next()) / (n - k);
    }
    return k;
  }
  return Math.max(0, Math.min(n, Math.round(mean + Math.sqrt(mean * (1 - p)) * rng.normal())));
}

/**
 * Φ⁻¹(p), Acklam's rational approximation (relative error < 1.2e-9): only the bench needs
 * normal quantiles, so no package for it.
 */
export function inverseNormal(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - low) return -inverseNormal(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

export { createRng };
