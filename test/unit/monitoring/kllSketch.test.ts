import { createRng } from '../../../examples/tabular/lib/random';
import { DEFAULT_SKETCH_K, KllSketch, KllSketchState, rankErrorBound } from '../../../shared/monitoring/stats';

/** Largest |estimated − true| rank over all held values, as a fraction of n. */
function maxRankError(sketch: KllSketch, sortedTruth: Float64Array): number {
  const { values, weights } = sketch.weightedItems();
  let cumulative = 0;
  let below = 0;
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    while (below < sortedTruth.length && sortedTruth[below]! < values[i]!) below++;
    worst = Math.max(worst, Math.abs(cumulative - below));
    cumulative += weights[i]!;
    let atOrBelow = below;
    while (atOrBelow < sortedTruth.length && sortedTruth[atOrBelow]! <= values[i]!) atOrBelow++;
    worst = Math.max(worst, Math.abs(cumulative - atOrBelow));
  }
  return worst / sortedTruth.length;
}

describe('KllSketch', () => {
  test('KllSketch holds at most ~3k numbers after a million values and keeps min, max and count exact', () => {
    const sketch = new KllSketch();
    const rng = createRng(7);
    let peak = 0;
    for (let i = 0; i < 1_000_000; i++) {
      sketch.add(rng.normal());
      if (sketch.retained > peak) peak = sketch.retained;
    }
    expect(sketch.n).toBe(1_000_000);
    expect(peak).toBeLessThanOrEqual(3 * DEFAULT_SKETCH_K + 64);
    expect(sketch.isExact()).toBe(false);
  });

  test('KllSketch rank error stays within rankErrorBound(k) for skewed and symmetric data', () => {
    for (const [seed, k] of [
      [1, 200],
      [2, 200],
      [3, 2000],
      [4, 2000],
    ] as const) {
      const rng = createRng(seed);
      const n = 200_000;
      const truth = new Float64Array(n);
      const sketch = new KllSketch(k, seed);
      for (let i = 0; i < n; i++) {
        truth[i] = seed % 2 === 0 ? Math.exp(2 * rng.normal()) : rng.normal();
        sketch.add(truth[i]!);
      }
      truth.sort();
      expect(maxRankError(sketch, truth)).toBeLessThanOrEqual(rankErrorBound(k));
    }
  });

  test('KllSketch is exact (every value, weight 1) while it has seen at most k values', () => {
    const sketch = new KllSketch(100);
    for (let i = 100; i >= 1; i--) sketch.add(i);
    expect(sketch.isExact()).toBe(true);
    expect(sketch.quantile(0.5)).toBe(50);
    expect(sketch.rank(10)).toBe(9);
    expect(sketch.rank(10, true)).toBe(10);
  });

  test('KllSketch merged from parts keeps the total count and the rank error bound', () => {
    const rng = createRng(11);
    const parts = [new KllSketch(400), new KllSketch(400), new KllSketch(400)];
    const truth = new Float64Array(150_000);
    for (let i = 0; i < truth.length; i++) {
      truth[i] = rng.normal() * (i % 3 === 0 ? 1 : 3);
      parts[i % 3]!.add(truth[i]!);
    }
    const merged = parts[0]!.merge(parts[1]!).merge(parts[2]!);
    truth.sort();
    expect(merged.n).toBe(150_000);
    expect(merged.retained).toBeLessThanOrEqual(3 * 400 + 64);
    expect(maxRankError(merged, truth)).toBeLessThanOrEqual(rankErrorBound(400));
  });

  test('KllSketch survives a JSON round trip and gives the same sketch for the same input', () => {
    const build = () => {
      const s = new KllSketch(50);
      for (let i = 0; i < 5000; i++) s.add((i * 7919) % 1000);
      return s;
    };
    const state = JSON.parse(JSON.stringify(build()));
    expect(KllSketchState.parse(state)).toEqual(build().toJSON());
    const restored = KllSketch.fromJSON(state);
    restored.add(1);
    const direct = build();
    direct.add(1);
    expect(restored.toJSON()).toEqual(direct.toJSON());
  });
});
