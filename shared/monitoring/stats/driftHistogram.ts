import type { CategoricalProfile, NumericProfile } from './baselineProfile';
import type { CategoricalWindow, NumericWindow } from './windowProfile';

/**
 * Baseline and window as proportions over the bins PSI compared, for a chart of what was
 * tested. Numeric: `edges` has one more entry than the bins; the open outer bins of the
 * profile ((−∞, e0) and (e_last, +∞)) end at the values observed, so every edge is finite.
 */
export type DriftHistogram =
  | { kind: 'numeric'; edges: number[]; baseline: number[]; window: number[] }
  | { kind: 'categorical'; categories: string[]; baseline: number[]; window: number[] };

/** Categories shown by name; the rest of the baseline's (and every unseen value) is `(other)`. */
export const HISTOGRAM_CATEGORIES = 20;
export const HISTOGRAM_OTHER = '(other)';

/**
 * The profile's bins with finite ends: [lo, e0, …, e_last, hi], where lo (hi) is the smallest
 * (largest) value either side saw, or e0 (e_last) when none fell outside. An outer bin that
 * nothing fell into is then zero-width with proportion 0, and the bins stay PSI's bins.
 */
export function numericHistogram(profile: NumericProfile, window: NumericWindow): DriftHistogram {
  const inner = profile.binEdges;
  const first = inner[0]!;
  const last = inner[inner.length - 1]!;
  const lo = Math.min(first, finiteOr(profile.sketch.min, first), finiteOr(window.sketch.min, first));
  const hi = Math.max(last, finiteOr(profile.sketch.max, last), finiteOr(window.sketch.max, last));
  return { kind: 'numeric', edges: [lo, ...inner, hi], baseline: proportions(profile.binCounts), window: proportions(window.binCounts) };
}

/**
 * The baseline's most frequent categories (its list is sorted by count) by name, then one
 * `(other)` bucket for its remaining categories, its own `__other__` and the window's unseen values.
 */
export function categoricalHistogram(profile: CategoricalProfile, window: CategoricalWindow): DriftHistogram {
  const shown = profile.categories.slice(0, HISTOGRAM_CATEGORIES);
  const fold = (counts: readonly number[]) => [...counts.slice(0, shown.length), sum(counts.slice(shown.length))];
  const baseline = fold([...profile.categories.map((c) => c.count), profile.otherCount]);
  return {
    kind: 'categorical',
    categories: [...shown.map((c) => c.value), HISTOGRAM_OTHER],
    baseline: proportions(baseline),
    window: proportions(fold(window.counts)),
  };
}

/** Shares of the total (all 0 for an empty side), to six significant digits: a chart needs no more and runs are stored. */
function proportions(counts: readonly number[]): number[] {
  const total = sum(counts);
  return counts.map((c) => (total > 0 ? Number((c / total).toPrecision(6)) : 0));
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function finiteOr(x: number | null, fallback: number): number {
  return x !== null && Number.isFinite(x) ? x : fallback;
}
