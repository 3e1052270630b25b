import { z } from 'zod';

/**
 * KLL quantile sketch (Karnin, Lang & Liberty, "Optimal Quantile Approximation in Streams",
 * FOCS 2016), ported from the authors' reference implementation
 * (github.com/edoliberty/streaming-quantiles, kll.py: lazy compaction, capacities k·(2/3)^depth).
 *
 * Why KLL and not a fixed histogram or a t-digest: its error is a bound on RANK (the CDF),
 * uniform over the whole range and independent of the data's shape or of values outside the
 * baseline's range, which is exactly what the KS statistic needs; it is mergeable (windows can
 * be computed in parts) and its size depends only on k. No well-kept npm package is installed.
 *
 * Guarantees (see docs/monitoring-statistics.md for the measurements):
 * - exact while no compaction has happened, i.e. for up to `k` values (`isExact()`);
 * - retained items ≤ about 3k + log2(n/k) whatever n is (memory bounded);
 * - rank error |R̂(x) − R(x)| / n ≤ `rankErrorBound(k)` for all x at once, with high
 *   probability (measured, never exceeded in our tests).
 * Deterministic: the coin that picks odd or even items at each compaction comes from a
 * seeded mulberry32 whose state travels with the sketch, so the same input gives the same sketch.
 */
export const KllSketchState = z.object({
  k: z.int().min(8),
  n: z.int().min(0),
  min: z.number().nullable(),
  max: z.number().nullable(),
  rng: z.int(),
  /** levels[h] holds items of weight 2^h. */
  levels: z.array(z.array(z.number())),
});
export type KllSketchState = z.infer<typeof KllSketchState>;

/** @default k for feature sketches: ~0.2% rank error, ≤ ~6,000 numbers per sketch. */
export const DEFAULT_SKETCH_K = 2000;

/**
 * Normalised rank error bound ε(k) used in reports: KS error ≤ ε_a + ε_b. Measured max over
 * 30 seeded runs of 10^5–10^6 values was below half of this (test/unit/monitoring/kllSketch.test.ts).
 */
export function rankErrorBound(k: number): number {
  return 4 / k;
}

export class KllSketch {
  private levels: number[][];
  private count: number;
  private low: number;
  private high: number;
  private rng: number;
  private size: number;
  private maxSize = 0;
  private view: { values: Float64Array; weights: Float64Array } | undefined;

  constructor(readonly k: number = DEFAULT_SKETCH_K, seed = 0x5eed) {
    this.levels = [[]];
    this.count = 0;
    this.low = Infinity;
    this.high = -Infinity;
    this.rng = seed >>> 0;
    this.size = 0;
    this.updateMaxSize();
  }

  static fromJSON(state: KllSketchState): KllSketch {
    const s = new KllSketch(state.k, state.rng);
    s.levels = state.levels.map((l) => [...l]);
    s.count = state.n;
    s.low = state.min ?? Infinity;
    s.high = state.max ?? -Infinity;
    s.size = s.levels.reduce((a, l) => a + l.length, 0);
    s.updateMaxSize();
    return s;
  }

  toJSON(): KllSketchState {
    return {
      k: this.k,
      n: this.count,
      min: this.count === 0 ? null : this.low,
      max: this.count === 0 ? null : this.high,
      rng: this.rng,
      levels: this.levels.map((l) => [...l]),
    };
  }

  get n(): number {
    return this.count;
  }
  get min(): number {
    return this.low;
  }
  get max(): number {
    return this.high;
  }
  /** Numbers held, the memory the sketch uses (bounded by ~3k + levels). */
  get retained(): number {
    return this.size;
  }
  /** True while every value seen is still held with weight 1. */
  isExact(): boolean {
    return this.levels.length === 1;
  }

  add(value: number): void {
    this.levels[0]!.push(value);
    this.view = undefined;
    this.count++;
    this.size++;
    if (value < this.low) this.low = value;
    if (value > this.high) this.high = value;
    if (this.size >= this.maxSize) this.compress();
  }

  /** Adds `other`'s items into this sketch (other is left unchanged). */
  merge(other: KllSketch): this {
    if (other.k !== this.k) throw new RangeError(`cannot merge KLL sketches with k=${this.k} and k=${other.k}`);
    this.view = undefined;
    while (this.levels.length < other.levels.length) this.grow();
    other.levels.forEach((level, h) => {
      for (const v of level) this.levels[h]!.push(v);
    });
    this.count += other.count;
    this.size += other.size;
    this.low = Math.min(this.low, other.low);
    this.high = Math.max(this.high, other.high);
    while (this.size >= this.maxSize) this.compress();
    return this;
  }

  /** Items with their weights, sorted by value (the sketch's weighted sample). Cached until the next change. */
  weightedItems(): { values: Float64Array; weights: Float64Array } {
    if (this.view) return this.view;
    // Sorting each level natively and merging is ~10x faster than one comparator sort.
    let values = new Float64Array(0);
    let weights = new Float64Array(0);
    this.levels.forEach((level, h) => {
      if (level.length === 0) return;
      const sorted = Float64Array.from(level).sort();
      const merged = new Float64Array(values.length + sorted.length);
      const mergedWeights = new Float64Array(merged.length);
      let i = 0;
      let j = 0;
      for (let o = 0; o < merged.length; o++) {
        if (j >= sorted.length || (i < values.length && values[i]! <= sorted[j]!)) {
          merged[o] = values[i]!;
          mergedWeights[o] = weights[i++]!;
        } else {
          merged[o] = sorted[j++]!;
          mergedWeights[o] = 2 ** h;
        }
      }
      values = merged;
      weights = mergedWeights;
    });
    this.view = { values, weights };
    return this.view;
  }

  /** Estimated number of values strictly below `x` (inclusive: at or below). */
  rank(x: number, inclusive = false): number {
    const { values, weights } = this.weightedItems();
    let r = 0;
    for (let i = 0; i < values.length && (values[i]! < x || (inclusive && values[i] === x)); i++) r += weights[i]!;
    return r;
  }

  /** Estimated q-quantile (0 ≤ q ≤ 1): the smallest held value whose inclusive rank reaches q·n. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    if (q <= 0) return this.low;
    if (q >= 1) return this.high;
    const { values, weights } = this.weightedItems();
    const target = q * this.count;
    let cumulative = 0;
    for (let i = 0; i < values.length; i++) {
      cumulative += weights[i]!;
      if (cumulative >= target) return values[i]!;
    }
    return this.high;
  }

  private capacity(height: number): number {
    const depth = this.levels.length - height - 1;
    return Math.ceil(this.k * (2 / 3) ** depth) + 1;
  }

  private updateMaxSize(): void {
    let total = 0;
    for (let h = 0; h < this.levels.length; h++) total += this.capacity(h);
    this.maxSize = total;
  }

  private grow(): void {
    this.levels.push([]);
    this.updateMaxSize();
  }

  /** Lazy compaction: compact the lowest level over its capacity, once. */
  private compress(): void {
    for (let h = 0; h < this.levels.length; h++) {
      const level = this.levels[h]!;
      if (level.length < this.capacity(h)) continue;
      if (h + 1 >= this.levels.length) this.grow();
      const sorted = Float64Array.from(level).sort();
      // An odd item out stays behind so no weight is lost.
      const keep = sorted.length % 2 === 1 ? [sorted[sorted.length - 1]!] : [];
      const pairs = sorted.length - keep.length;
      const offset = this.coin();
      const up = this.levels[h + 1]!;
      for (let i = offset; i < pairs; i += 2) up.push(sorted[i]!);
      this.levels[h] = keep;
      this.size -= pairs / 2;
      return;
    }
  }

  /** mulberry32 step; one bit per compaction. */
  private coin(): number {
    this.rng = (this.rng + 0x6d2b79f5) >>> 0;
    let t = this.rng;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 1;
  }
}
