import { createRng } from '../../../examples/tabular/lib/random';
import { compareToBaseline, createWindowProfile, DriftAccumulator, mergeWindows, profileBaseline } from '../../../shared/monitoring/stats';

const columns = ['age', 'plan', 'label'];
function rows(seed: number, n: number, shift = 0): unknown[][] {
  const rng = createRng(seed);
  const plans = ['basic', 'pro', 'team'];
  return Array.from({ length: n }, (_, i) => [
    i % 50 === 0 ? '' : 40 + shift + 10 * rng.normal(),
    i % 97 === 0 ? 'enterprise' : plans[rng.pick([5, 3, 1])]!,
    rng.next() < 0.3 ? '1' : '0',
  ]);
}

describe('window merge', () => {
  test('merge(a, b) gives the same counts and the same report as processing all rows at once (exact sketches)', async () => {
    const baseline = await profileBaseline(columns, rows(1, 3000), { prediction: 'label' });
    const data = rows(2, 1500, 3);
    const whole = createWindowProfile(baseline);
    const a = createWindowProfile(baseline);
    const b = createWindowProfile(baseline);
    data.forEach((r, i) => {
      whole.add(r);
      (i < 600 ? a : b).add(r);
    });
    const merged = mergeWindows(a, b);
    // Sketch items sit in a different order and the mean differs in the last bit; the rest is identical.
    const strip = (w: DriftAccumulator) => ({
      ...w.toJSON(),
      features: w.toJSON().features.map((f) => ({ ...f, sketch: undefined, moments: undefined })),
    });
    expect(strip(merged)).toEqual(strip(whole));
    const [m, w] = [merged.toJSON().features[0]!, whole.toJSON().features[0]!];
    if (m.type !== 'numeric' || w.type !== 'numeric') throw new Error('age should be numeric');
    expect(m.moments.n).toBe(w.moments.n);
    expect(m.moments.mean).toBeCloseTo(w.moments.mean, 9);
    expect([...m.sketch.levels[0]!].sort()).toEqual([...w.sketch.levels[0]!].sort());
    expect(compareToBaseline(baseline, merged)).toEqual(compareToBaseline(baseline, whole));
    // The parts are left as they were.
    expect(a.rowCount).toBe(600);
  });

  test('merge of windows past the sketch size keeps every count exact and KS within its error bound', async () => {
    const baseline = await profileBaseline(columns, rows(3, 3000), { sketchK: 64 });
    const data = rows(4, 4000, 1);
    const whole = createWindowProfile(baseline);
    const parts = [createWindowProfile(baseline), createWindowProfile(baseline), createWindowProfile(baseline)];
    data.forEach((r, i) => {
      whole.add(r);
      parts[i % 3]!.add(r);
    });
    const merged = parts.reduce((acc, p) => acc.merge(p), createWindowProfile(baseline));
    const [m, w] = [merged.toJSON().features[0]!, whole.toJSON().features[0]!];
    if (m.type !== 'numeric' || w.type !== 'numeric') throw new Error('age should be numeric');
    expect(m.binCounts).toEqual(w.binCounts);
    expect(m.missing).toBe(w.missing);
    expect(m.sketch.n).toBe(w.sketch.n);
    const ksMerged = compareToBaseline(baseline, merged).features[0]!.metrics.ks!;
    const ksWhole = compareToBaseline(baseline, whole).features[0]!.metrics.ks!;
    expect(Math.abs(ksMerged.statistic - ksWhole.statistic)).toBeLessThanOrEqual(ksMerged.errorBound + ksWhole.errorBound);
  });

  test('a window stored as JSON and restored with DriftAccumulator.fromJSON continues where it stopped', async () => {
    const baseline = await profileBaseline(columns, rows(5, 2000));
    const data = rows(6, 1000);
    const straight = createWindowProfile(baseline);
    const first = createWindowProfile(baseline);
    data.forEach((r, i) => {
      straight.add(r);
      if (i < 400) first.add(r);
    });
    const resumed = DriftAccumulator.fromJSON(baseline, JSON.parse(JSON.stringify(first)));
    data.slice(400).forEach((r) => resumed.add(r));
    expect(resumed.toJSON()).toEqual(straight.toJSON());
  });

  test('windows of different baselines refuse to merge', async () => {
    const a = createWindowProfile(await profileBaseline(['x'], [[1], [2]]));
    const b = createWindowProfile(await profileBaseline(['y'], [[1], [2]]));
    expect(() => a.merge(b)).toThrow(/different baselines/);
  });
});
