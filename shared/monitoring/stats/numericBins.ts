import type { KllSketch } from './kllSketch';

/**
 * Quantile bin edges from the baseline's sketch: min, the (i/binCount)-quantiles, max, with
 * duplicates removed (a discrete feature gets fewer, wider bins) but at least two edges so a
 * constant feature still has one interior bin [c, c]. A discrete feature (ties merged bins) gets
 * one more edge just above its max, so its max is a bin of its own: otherwise the closed top bin
 * [e, max] holds both of a 0/1 feature's values and its PSI and JS could never move.
 */
export function quantileEdges(sketch: KllSketch, binCount: number): number[] {
  const edges: number[] = [sketch.min];
  for (let i = 1; i < binCount; i++) {
    const q = sketch.quantile(i / binCount);
    if (q > edges[edges.length - 1]!) edges.push(q);
  }
  if (sketch.max > edges[edges.length - 1]! || edges.length === 1) edges.push(sketch.max);
  const bins = edges.length - 1;
  if (bins < binCount && edges[bins]! > edges[0]!) edges.push(nextAbove(edges[bins]!));
  return edges;
}

/** The smallest double above x (finite x): the top edge that leaves x itself in the bin below. */
function nextAbove(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const bits = new BigInt64Array(new Float64Array([x]).buffer);
  bits[0] = bits[0]! + (x > 0 ? 1n : -1n);
  return new Float64Array(bits.buffer)[0]!;
}

/**
 * The bin of `x` for edges e (length L): 0 below e0, L above e_{L−1}, otherwise the i with
 * e_{i−1} ≤ x < e_i (the top interior bin also takes e_{L−1}). Binary search: L is ~20.
 */
export function binOf(edges: readonly number[], x: number): number {
  const last = edges.length - 1;
  if (x < edges[0]!) return 0;
  if (x > edges[last]!) return last + 1;
  let lo = 1;
  let hi = last;
  // First index i in [1, last] with edges[i] > x; x === e_last falls into bin `last`.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Baseline counts per bin read off the sketch's CDF (exact while the sketch is exact). */
export function sketchBinCounts(sketch: KllSketch, edges: readonly number[]): number[] {
  const last = edges.length - 1;
  const counts = new Array<number>(last + 2).fill(0);
  let below = 0;
  for (let i = 1; i < last; i++) {
    const rank = sketch.rank(edges[i]!);
    counts[i] = rank - below;
    below = rank;
  }
  counts[last] = sketch.n - below;
  return counts;
}
