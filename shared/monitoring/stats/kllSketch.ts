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

/**
 * Levels are Float64Arrays with a fill count. Level 0 takes new values unsorted; every level
 * above is kept sorted, so a compaction merges in linear time instead of sorting again (the
 * profile of a 1M-row window showed compaction's `Float64Array.from(level).sort()` of each
 * level at ~1/3 of accumulation). The multiset held per level, the coin and so every estimate
 * are the same as the reference's (kll.py), which sorts each level when it compacts it.
 */
export class KllSketch {
  private levels: Float64Array[];
  private lengths: number[];
  private count: number;
  private low: number;
  private high: number;
  private rng: number;
  private size: number;
  private maxSize = 0;
  private capacities: number[] = [];
  private spare: Float64Array = new Float64Array(64);
  private scratch: Float64Array = new Float64Array(64);
  private view: { values: Float64Array; weights: Float64Array } | undefined;

  constructor(
    readonly k: number = DEFAULT_SKETCH_K,
    seed = 0x5eed,
  ) {
    this.levels = [new Float64Array(64)];
    this.lengths = [0];
    this.count = 0;
    this.low = Infinity;
    this.high = -Infinity;
    this.rng = seed >>> 0;
    this.size = 0;
    this.updateMaxSize();
  }

  static fromJSON(state: KllSketchState): KllSketch {
    const s = new KllSketch(state.k, state.rng);
    s.levels = state.levels.map((l, h) => {
      const level = new Float64Array(Math.max(64, l.length));
      level.set(l);
      // Stored states need not be sorted (older ones were written in insertion order).
      if (h > 0) level.subarray(0, l.length).sort();
      return level;
    });
    s.lengths = state.levels.map((l) => l.length);
    s.count = state.n;
    s.low = state.min ?? Infinity;
    s.high = state.max ?? -Infinity;
    s.size = s.lengths.reduce((a, l) => a + l, 0);
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
      levels: this.levels.map((l, h) => Array.from(l.subarray(0, this.lengths[h]!))),
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
    let level = this.levels[0]!;
    const length = this.lengths[0]!;
    if (length === level.length) level = this.resize(0, length * 2);
    level[length] = value;
    this.lengths[0] = length + 1;
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
      const items = level.subarray(0, other.lengths[h]!);
      if (h === 0) {
        const length = this.lengths[0]!;
        if (length + items.length > this.levels[0]!.length) this.resize(0, length + items.length);
        this.levels[0]!.set(items, length);
        this.lengths[0] = length + items.length;
      } else this.mergeSorted(h, items);
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
    let values = new Float64Array(0);
    let weights = new Float64Array(0);
    this.levels.forEach((level, h) => {
      const length = this.lengths[h]!;
      if (length === 0) return;
      const sorted = h === 0 ? Float64Array.from(level.subarray(0, length)).sort() : level.subarray(0, length);
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
    this.capacities = [];
    for (let h = 0; h < this.levels.length; h++) {
      this.capacities.push(this.capacity(h));
      total += this.capacities[h]!;
    }
    this.maxSize = total;
  }

  private grow(): void {
    this.levels.push(new Float64Array(64));
    this.lengths.push(0);
    this.updateMaxSize();
  }

  private resize(h: number, atLeast: number): Float64Array {
    const bigger = new Float64Array(Math.max(atLeast, 64));
    bigger.set(this.levels[h]!.subarray(0, this.lengths[h]!));
    this.levels[h] = bigger;
    return bigger;
  }

  /** Merges sorted `items` into sorted level h (h ≥ 1), through a spare buffer swapped with the level's. */
  private mergeSorted(h: number, items: Float64Array): void {
    const level = this.levels[h]!;
    const length = this.lengths[h]!;
    const total = length + items.length;
    let out = this.spare;
    if (out.length < total) out = new Float64Array(Math.max(level.length, total * 2));
    let i = 0;
    let j = 0;
    for (let o = 0; o < total; o++) out[o] = j >= items.length || (i < length && level[i]! <= items[j]!) ? level[i++]! : items[j++]!;
    this.levels[h] = out;
    this.lengths[h] = total;
    this.spare = level;
  }

  /** Lazy compaction: compact the lowest level over its capacity, once. */
  private compress(): void {
    for (let h = 0; h < this.levels.length; h++) {
      const length = this.lengths[h]!;
      if (length < this.capacities[h]!) continue;
      if (h + 1 >= this.levels.length) this.grow();
      const sorted = this.levels[h]!.subarray(0, length);
      if (h === 0) sorted.sort();
      // An odd item out (the largest) stays behind so no weight is lost.
      const pairs = length - (length % 2);
      const offset = this.coin();
      if (this.scratch.length < pairs / 2) this.scratch = new Float64Array(pairs);
      const up = this.scratch.subarray(0, pairs / 2);
      for (let i = offset, o = 0; i < pairs; i += 2, o++) up[o] = sorted[i]!;
      if (pairs < length) sorted[0] = sorted[length - 1]!;
      this.lengths[h] = length - pairs;
      this.mergeSorted(h + 1, up);
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
