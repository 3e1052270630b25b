import type { CategoricalProfile } from './baselineProfile';
import { jensenShannonDistance, populationStabilityIndex } from './binDivergences';
import type { DistributionMeasure } from './distributionJudgement';
import type { DriftThresholds } from './driftThresholds';
import { qualityCheck, type QualityCheck } from './featureDrift';
import { formatNumber, formatPValue, formatRate } from './formatReason';
import { pooledChiSquared } from './pooledChiSquared';
import { binNoise, correctedEffects } from './samplingNoise';
import type { CategoricalWindow } from './windowProfile';

/** A categorical feature (or the predictions): PSI and JS over the categories, chi-squared (the test), unseen categories. */
export function categoricalMeasures(p: CategoricalProfile, w: CategoricalWindow, t: DriftThresholds) {
  const baseline = [...p.categories.map((c) => c.count), p.otherCount];
  const values = w.count - w.missing;
  const outside = w.counts[w.counts.length - 1] ?? 0;
  const unseenCategoryRate = values === 0 ? 0 : outside / values;
  const baselineValues = p.count - p.missing;
  const baselineOtherRate = baselineValues === 0 ? 0 : p.otherCount / baselineValues;
  const unseenExamples = Object.entries(w.unseen.counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([value, count]) => ({ value, count }));
  const psi = populationStabilityIndex(baseline, w.counts);
  const js = jensenShannonDistance(baseline, w.counts);
  const chi = pooledChiSquared(baseline, w.counts, { unseen: baseline.length - 1 });
  // Good–Turing: categories the baseline saw once estimate the share of values it never saw.
  const seenOnce = p.categories.filter((c) => c.count === 1).length;
  const noise = binNoise(baseline, values, () => (baselineValues === 0 ? 0 : seenOnce / baselineValues));
  const corrected = correctedEffects({ psi, jensenShannon: js }, noise);
  const examples = unseenExamples.map((e) => JSON.stringify(e.value)).join(', ');
  const checks: QualityCheck[] = [
    qualityCheck('unseenCategories', t.unseenCategoryRate, unseenCategoryRate - baselineOtherRate, `${formatRate(unseenCategoryRate)} unseen categories${examples ? ` (${examples})` : ''} (limit +${formatRate(t.unseenCategoryRate ?? 0)})`, values, t.minTestSampleSize),
  ];
  const distribution: DistributionMeasure = {
    evaluated: values > 0 && values >= t.minSampleSize && baselineValues >= t.minSampleSize,
    test: { metric: 'chiSquared', pValue: chi.pValue, alpha: t.chiSquaredPValue, describe: `chi2=${formatNumber(chi.statistic)} dof=${chi.dof} ${formatPValue(chi.pValue)}` },
    effects: [
      { metric: 'psi', raw: psi, corrected: corrected.psi, threshold: t.psi },
      { metric: 'jensenShannon', raw: js, corrected: corrected.jensenShannon, threshold: t.jensenShannon },
    ],
  };
  return {
    values,
    checks,
    quality: { unseenCategoryRate, baselineOtherRate, unseenExamples },
    metrics: { psi, jensenShannon: js, chiSquared: chi, noise: { psi: noise.psi, jensenShannon: Math.sqrt(noise.jsDivergence) }, corrected },
    distribution,
  };
}
