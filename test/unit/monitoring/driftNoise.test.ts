import { PREDICTION_COLUMN, profileForModel } from '../../../shared/monitoring/baseline';
import {
  BaselineProfile,
  binNoise,
  holmAdjust,
  pooledChiSquared,
  wassersteinNoise,
  exactSample,
  populationStabilityIndex,
  sampleDistances,
  type DriftReport,
} from '../../../shared/monitoring/stats';
import { createRng } from '../../../examples/tabular/lib/random';
import { MemoryDataStore } from '../release/fakes';
import { syntheticReport as report } from './syntheticDrift';

const byName = (r: DriftReport, name: string) => r.features.find((f) => f.feature === name)!;

describe('drift judged against sampling noise', () => {
  test('same-distribution windows against small baselines (100 to 455 rows, as a 569-row dataset gives) report no drift for seeds 1 to 20', async () => {
    const drifted: string[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      for (const sizes of [
        { baseline: 100, window: 1000 },
        { baseline: 114, window: 1707 },
        { baseline: 455, window: 1707 },
      ]) {
        const r = await report(seed, sizes);
        if (r.drifted) drifted.push(`seed ${seed} ${sizes.baseline}/${sizes.window}: ${r.reasons.join('; ')}`);
        expect(r.insufficientData).toBe(false);
      }
    }
    expect(drifted).toEqual([]);
  });

  test('the raw effect sizes of those runs are over their thresholds; the noise-corrected ones are not', async () => {
    const r = await report(7, { baseline: 114, window: 1707 });
    const tenure = byName(r, 'tenure_months');
    // What the old rule breached on: noise alone at 114 rows.
    expect(tenure.metrics.psi).toBeGreaterThan(0.1);
    expect(tenure.metrics.noise!.psi).toBeGreaterThan(0.15);
    expect(tenure.metrics.corrected!.psi).toBeLessThan(tenure.metrics.psi);
    expect(tenure.status).toBe('ok');
    expect(tenure.significance).toMatchObject({ test: 'ks', correction: 'holm', tests: 4, alpha: 0.01, significant: false });
  });

  test('a mean shift of half a standard deviation is caught at 1,000 baseline and 1,000 window rows, with its p-value', async () => {
    for (const seed of [11, 12, 13]) {
      const r = await report(seed, { baseline: 1000, window: 1000 }, { tenureMeanShift: 0.5 });
      const tenure = byName(r, 'tenure_months');
      expect(r.drifted).toBe(true);
      expect(tenure.breached).toEqual(expect.arrayContaining(['wasserstein', 'ks']));
      expect(tenure.significance!.adjustedPValue).toBeLessThan(1e-6);
      expect(tenure.metrics.corrected!.wasserstein).toBeGreaterThan(0.35);
      expect(r.reasons.find((l) => l.startsWith('feature tenure_months: '))).toMatch(
        /Wasserstein 0\.\d+ std > 0\.1 std \(raw 0\.\d+ with sampling noise 0\.0\d+ taken out\).*KS D=0\.\d+ p<1e-6, Holm-adjusted p<1e-6 < 0\.01 over 4 tests/,
      );
      expect(byName(r, 'monthly_spend').breached).toEqual([]);
    }
  });

  test('a window below the minimum sample is insufficient-data, not drift and not ok, however far it moved', async () => {
    const r = await report(21, { baseline: 2000, window: 99 }, { tenureMeanShift: 3 });
    expect({ drifted: r.drifted, insufficientData: r.insufficientData }).toEqual({ drifted: false, insufficientData: true });
    expect(r.features.every((f) => f.status === 'insufficient-data')).toBe(true);
    expect(byName(r, 'tenure_months').notEvaluated).toEqual(expect.arrayContaining(['psi', 'jensenShannon', 'wasserstein', 'ks']));
    expect(r.reasons[0]).toBe('window too small: at most 99 values per feature, too few for any test');
    expect((await report(21, { baseline: 2000, window: 100 }, { tenureMeanShift: 3 })).drifted).toBe(true);
  });

  test('a baseline below the minimum sample makes every run insufficient-data and says so', async () => {
    const r = await report(22, { baseline: 60, window: 5000 });
    expect({ drifted: r.drifted, insufficientData: r.insufficientData }).toEqual({ drifted: false, insufficientData: true });
    expect(r.reasons[0]).toBe('baseline too small: 60 rows, fewer values per feature than the minimum sample for any test');
  });

  test("Holm's correction: step-down adjusted p-values as statsmodels multipletests(method='holm') gives them", () => {
    // statsmodels 0.13: multipletests([0.01, 0.04, 0.03, 0.005], method='holm')[1] -> [0.03, 0.06, 0.06, 0.02]
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005]).map((p) => Number(p!.toFixed(12)))).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(holmAdjust([0.5, undefined, 0.001])).toEqual([0.5, undefined, 0.002]);
    expect(holmAdjust([0.9, 0.8])).toEqual([1, 1]);
  });

  test('compareToBaseline adjusts every tested feature and the prediction as one family, so one p of 0.004 among four tests is not significant', async () => {
    const r = await report(31, { baseline: 2000, window: 1000 });
    const all = [...r.features, r.prediction!];
    const raw = all.map((f) => f.significance!.pValue);
    expect(all.map((f) => f.significance!.adjustedPValue)).toEqual(holmAdjust(raw));
    expect(r.multipleTesting).toEqual({ method: 'holm', tests: 4 });
    expect(holmAdjust([0.004, 0.5, 0.6, 0.7])[0]).toBeCloseTo(0.016, 12);
  });
});

describe('sampling noise floors', () => {
  test('binNoise predicts the mean PSI of same-distribution samples within 15% (10 equal bins, 200 vs 2,000 values)', () => {
    const rng = createRng(5);
    const draw = (n: number) => {
      const counts = new Array<number>(10).fill(0);
      for (let i = 0; i < n; i++) counts[Math.floor(rng.next() * 10)]!++;
      return counts;
    };
    let total = 0;
    for (let r = 0; r < 400; r++) total += populationStabilityIndex(draw(200), draw(2000));
    const predicted = binNoise(new Array<number>(10).fill(20), 2000, () => 0).psi;
    expect(predicted).toBeCloseTo(9 * (1 / 200 + 1 / 2000), 12);
    expect(Math.abs(total / 400 - predicted) / predicted).toBeLessThan(0.15);
  });

  test('wassersteinNoise predicts the mean Wasserstein-1 of two normal samples within 15% (300 vs 3,000 values)', () => {
    const rng = createRng(6);
    const normals = (n: number) => Array.from({ length: n }, () => rng.normal());
    let total = 0;
    for (let r = 0; r < 100; r++) total += sampleDistances(exactSample(normals(300)), exactSample(normals(3000))).wasserstein;
    const predicted = wassersteinNoise(exactSample(normals(20000)), 300, 3000, 1);
    expect(Math.abs(total / 100 - predicted) / predicted).toBeLessThan(0.15);
  });

  test('pooledChiSquared pools sparse columns but keeps the unseen-values column of a new category in 5% of rows apart', () => {
    const baseline = [40, 30, 20, 1, 1, 1, 1, 0];
    const same = pooledChiSquared(baseline, [400, 300, 200, 10, 10, 10, 10, 0]);
    // Four columns of expected count 1 pool to 4, still under 5, so the next smallest (20 + 200) joins.
    expect(same.pooledColumns).toBe(5);
    expect(same.dof).toBe(2);
    expect(same.pValue).toBeGreaterThan(0.5);
    // 50 new values: pooled with the rare categories (as the smallest column) they would vanish.
    const fresh = [380, 285, 190, 10, 10, 10, 10, 50];
    expect(pooledChiSquared(baseline, fresh).pValue).toBeGreaterThan(0.1);
    const kept = pooledChiSquared(baseline, fresh, { unseen: 7 });
    expect(kept.dof).toBe(3);
    expect(kept.pValue).toBeLessThan(pooledChiSquared(baseline, fresh).pValue / 2);
  });
});

describe('profileForModel', () => {
  test('profiles the features from the streamed training rows and the prediction from the holdout answers, and old profiles still parse', async () => {
    const data = new MemoryDataStore();
    const trainingRows = Array.from({ length: 455 }, (_, i) => `${i % 37},${i % 2 ? 'a' : 'b'},${i % 3 ? 'yes' : 'no'}`);
    await data.write({ container: 'artifacts', name: 'releases/r1/train.csv' }, ['x,color,label', ...trainingRows].join('\n') + '\n');
    const holdout = Array.from({ length: 114 }, (_, i) => [i % 37, i % 2 ? 'a' : 'b']);
    const predictions = holdout.map((_, i) => (i % 4 ? 'yes' : 'no'));
    const training = { data, blob: { container: 'artifacts', name: 'releases/r1/train.csv' } };
    const profile = await profileForModel(['x', 'color'], holdout, predictions, training);
    expect(profile.rows).toBe(455);
    expect(profile.columns).toEqual(['x', 'color', PREDICTION_COLUMN]);
    expect(profile.features.map((f) => [f.name, f.type, f.count])).toEqual([
      ['x', 'numeric', 455],
      ['color', 'categorical', 455],
    ]);
    expect(profile.prediction).toMatchObject({
      name: PREDICTION_COLUMN,
      count: 114,
      categories: [
        { value: 'yes', count: 85 },
        { value: 'no', count: 29 },
      ],
    });
    expect(profile.sources).toEqual({ features: { kind: 'training', rows: 455 }, prediction: { kind: 'holdout', rows: 114 } });
    const old = { ...(await profileForModel(['x', 'color'], holdout, predictions)) } as Record<string, unknown>;
    delete old.sources;
    expect(BaselineProfile.parse(JSON.parse(JSON.stringify(old))).rows).toBe(114);
  });
});
