import type { CategoricalProfile } from './baselineProfile';

/**
 * Which of a baseline's listed categories have counts a window can be compared with.
 *
 * When the baseline had more categories than it lists (`otherCount > 0`), the list is its top
 * `maxCategories` BY COUNT, so categories near the cut were listed because chance raised their
 * counts: in a new sample of the same data their shares fall back and `__other__` grows (300
 * equally likely categories, 1,000 baseline rows: the listed 100 hold 53% of the baseline and
 * 33% of any new sample). Compared as they are, every such window reads as drift and as unseen
 * categories. A listed category is kept only when its count is clear of the cut, r − 3√r ≥
 * the smallest listed count (plus the Misra–Gries undercount): it would have been listed
 * whatever the noise, so its count is unbiased. The rest join `__other__` on both sides,
 * whose baseline share is then unbiased too (one minus the kept). An exhaustive list keeps all.
 */
export function comparableCategories(p: CategoricalProfile): boolean[] {
  if (p.otherCount === 0 && p.undercount === 0) return p.categories.map(() => true);
  const cut = Math.min(...p.categories.map((c) => c.count)) + p.undercount;
  return p.categories.map((c) => c.count - 3 * Math.sqrt(c.count) >= cut);
}

/** Counts over the kept categories, then one column for the rest (the listed ones not kept, and `__other__`). */
export function foldCounts(counts: readonly number[], kept: readonly boolean[]): number[] {
  const folded: number[] = [];
  let rest = 0;
  counts.forEach((c, i) => {
    if (i < kept.length && kept[i]) folded.push(c);
    else rest += c;
  });
  return [...folded, rest];
}

/**
 * The largest share of new data one category the baseline did NOT list can plausibly hold: it
 * had at most the smallest listed count k (plus the Misra–Gries undercount) in n baseline
 * values, so its share is below (k + 3√k + 7)/n (a Poisson upper bound, ≈ 99.9%; 6.9/n for
 * k = 0). A single unseen value far above it in a window is a new category, even where the
 * baseline's long tail hides it in the pooled `__other__` share.
 */
export function unlistedShareBound(p: CategoricalProfile): number {
  const n = p.count - p.missing;
  if (n === 0) return 1;
  const k = (p.otherCount === 0 && p.undercount === 0 ? 0 : Math.min(...p.categories.map((c) => c.count))) + p.undercount;
  return Math.min(1, (k + 3 * Math.sqrt(k) + 7) / n);
}
