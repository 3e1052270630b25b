/**
 * The statistics against scipy: expected values were computed by
 * test/fixtures/monitoring/make_reference.py (scipy version recorded in the fixture) from the
 * same seeded samples. Samples here are small enough to be kept whole, so these are the exact
 * paths: tight tolerances.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chiSquaredSurvival,
  compareToBaseline,
  createWindowProfile,
  kolmogorovSurvival,
  ksPValueExact,
  profileBaseline,
  type NumericProfile,
} from '../../../shared/monitoring/stats';

interface NumericCase {
  name: string;
  baseline: number[];
  window: number[];
  binEdges: number[];
  baselineBins: number[];
  windowBins: number[];
  psi: number;
  jensenShannon: number;
  wasserstein: number;
  normalizedWasserstein: number;
  ksStatistic: number;
  ksPValueAsympScipy: number;
  ksPValueStephens: number;
  ksPValueExact?: number;
}
interface CategoricalCase {
  name: string;
  baseline: string[];
  window: string[];
  unseenRate: number;
  psi: number;
  jensenShannon: number;
  chiSquared: number;
  chiSquaredDof: number;
  chiSquaredPValue: number;
}
const reference = JSON.parse(readFileSync(join(__dirname, '../../fixtures/monitoring/reference.json'), 'utf8')) as {
  howComputed: string;
  numeric: NumericCase[];
  categorical: CategoricalCase[];
  chiSquaredSurvival: { x: number; dof: number; sf: number }[];
  kolmogorovSurvival: { lambda: number; sf: number }[];
  ksExact: { m: number; n: number; statistic: number; pValue: number }[];
};

const relative = (actual: number, expected: number) => Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);

async function compareColumn(baseline: readonly (number | string)[], window: readonly (number | string)[]) {
  const profile = await profileBaseline(
    ['x'],
    baseline.map((v) => [v]),
  );
  const acc = createWindowProfile(profile);
  for (const v of window) acc.add([v]);
  // Thresholds off the table: these tests look at the values, not at breaches.
  return { profile, report: compareToBaseline(profile, acc, { thresholds: { minSampleSize: 1, minTestSampleSize: 1 } }) };
}

describe(`drift statistics match scipy (${reference.howComputed})`, () => {
  test.each(reference.numeric.map((c) => [c.name, c] as const))('numeric %s: bins, PSI, JS, Wasserstein and KS match', async (_name, c) => {
    const { profile, report } = await compareColumn(c.baseline, c.window);
    const p = profile.features[0] as NumericProfile;
    const f = report.features[0]!;
    expect(p.exact).toBe(true);
    expect(p.binEdges).toEqual(c.binEdges);
    expect(p.binCounts).toEqual(c.baselineBins);
    expect(f.metrics.psi).toBeCloseTo(c.psi, 12);
    expect(f.metrics.jensenShannon).toBeCloseTo(c.jensenShannon, 12);
    expect(relative(f.metrics.wassersteinRaw!, c.wasserstein)).toBeLessThan(1e-9);
    expect(relative(f.metrics.wasserstein!, c.normalizedWasserstein)).toBeLessThan(1e-9);
    expect(f.metrics.wassersteinErrorBound).toBe(0);
    const ks = f.metrics.ks!;
    expect(ks.exactStatistic).toBe(true);
    expect(ks.statistic).toBeCloseTo(c.ksStatistic, 12);
    if (c.ksPValueExact !== undefined) {
      expect(ks.method).toBe('exact');
      expect(relative(ks.pValue, c.ksPValueExact)).toBeLessThan(1e-6);
    } else {
      expect(ks.method).toBe('asymptotic');
      expect(relative(ks.pValue, c.ksPValueStephens)).toBeLessThan(1e-9);
      // scipy >= 1.5 evaluates the finite-n distribution at round(m n / (m + n)) instead: within 2% here.
      expect(relative(ks.pValue, c.ksPValueAsympScipy)).toBeLessThan(0.02);
    }
  });

  test.each(reference.categorical.map((c) => [c.name, c] as const))(
    'categorical %s: PSI, JS, chi-squared and unseen rate match',
    async (_name, c) => {
      const { report } = await compareColumn(c.baseline, c.window);
      const f = report.features[0]!;
      expect(f.type).toBe('categorical');
      expect(f.metrics.psi).toBeCloseTo(c.psi, 12);
      expect(f.metrics.jensenShannon).toBeCloseTo(c.jensenShannon, 12);
      expect(f.metrics.chiSquared!.dof).toBe(c.chiSquaredDof);
      expect(relative(f.metrics.chiSquared!.statistic, c.chiSquared)).toBeLessThan(1e-12);
      expect(relative(f.metrics.chiSquared!.pValue, c.chiSquaredPValue)).toBeLessThan(1e-9);
      expect(f.quality.unseenCategoryRate).toBeCloseTo(c.unseenRate, 12);
    },
  );

  test.each(reference.numeric.map((c) => [c.name, c] as const))(
    'numeric %s through a small sketch (k=64): KS and Wasserstein stay within their reported error bounds',
    async (_name, c) => {
      const profile = await profileBaseline(
        ['x'],
        c.baseline.map((v) => [v]),
        { sketchK: 64 },
      );
      const acc = createWindowProfile(profile);
      for (const v of c.window) acc.add([v]);
      const f = compareToBaseline(profile, acc).features[0]!;
      const ks = f.metrics.ks!;
      expect(ks.exactStatistic).toBe(false);
      expect(ks.errorBound).toBeGreaterThan(0);
      expect(Math.abs(ks.statistic - c.ksStatistic)).toBeLessThanOrEqual(ks.errorBound);
      expect(Math.abs(f.metrics.wasserstein! - c.normalizedWasserstein)).toBeLessThanOrEqual(f.metrics.wassersteinErrorBound!);
    },
  );

  test('chiSquaredSurvival matches scipy.stats.chi2.sf across small and large statistics and degrees of freedom', () => {
    for (const { x, dof, sf } of reference.chiSquaredSurvival) {
      if (sf < 1e-300) expect(chiSquaredSurvival(x, dof)).toBeLessThan(1e-290);
      else expect(relative(chiSquaredSurvival(x, dof), sf)).toBeLessThan(1e-9);
    }
  });

  test('kolmogorovSurvival matches scipy.special.kolmogorov on both sides of lambda = 1', () => {
    for (const { lambda, sf } of reference.kolmogorovSurvival) expect(relative(kolmogorovSurvival(lambda), sf)).toBeLessThan(1e-10);
  });

  test("ksPValueExact matches ks_2samp(method='exact') for unequal and equal sample sizes", () => {
    for (const { m, n, statistic, pValue } of reference.ksExact)
      expect(relative(ksPValueExact(statistic, m, n), pValue)).toBeLessThan(1e-6);
  });
});
