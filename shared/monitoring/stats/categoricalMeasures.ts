import type { CategoricalProfile } from './baselineProfile';
import { jensenShannonDistance, populationStabilityIndex } from './binDivergences';
import type { DistributionMeasure } from './distributionJudgement';
import type { DriftThresholds } from './driftThresholds';
import { qualityCheck, type QualityCheck } from './qualityCheck';
import { formatNumber, formatPValue, formatRate } from './formatReason';
import { comparableCategories, foldCounts, unlistedShareBound } from './listedCategories';
import { pooledChiSquared } from './pooledChiSquared';
import { binNoise, correctedEffects } from './samplingNoise';
import type { CategoricalWindow } from './windowProfile';

/** A categorical feature (or the predictions): PSI and JS over the categories, chi-squared (the test), unseen categories. */
export function categoricalMeasures(p: CategoricalProfile, w: CategoricalWindow, t: DriftThresholds) {
  // Listed categories whose counts chance inflated (a truncated list) are compared as part of `__other__`.
  const kept = comparableCategories(p);
  const folded = kept.some((k) => !k);
  const baseline = foldCounts([...p.categories.map((c) => c.count), p.otherCount], kept);
  const windowCounts = foldCounts(w.counts, kept);
  const values = w.count - w.missing;
  const outside = w.counts[w.counts.length - 1] ?? 0;
  const unseenCategoryRate = values === 0 ? 0 : outside / values;
  const baselineValues = p.count - p.missing;
  const baselineOtherRate = baselineValues === 0 ? 0 : p.otherCount / baselineValues;
  // Unseen values are compared together with the rare listed categories: their joint share is unbiased.
  const windowRestRate = values === 0 ? 0 : windowCounts[windowCounts.length - 1]! / values;
  const baselineRestRate = baselineValues === 0 ? 0 : baseline[baseline.length - 1]! / baselineValues;
  const unseenExamples = Object.entries(w.unseen.counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([value, count]) => ({ value, count }));
  const psi = populationStabilityIndex(baseline, windowCounts);
  const js = jensenShannonDistance(baseline, windowCounts);
  const chi = pooledChiSquared(baseline, windowCounts, { unseen: baseline.length - 1 });
  // Good–Turing: categories the baseline saw once estimate the share of values it never saw.
  const seenOnce = p.categories.filter((c) => c.count === 1).length;
  const noise = binNoise(baseline, values, () => (baselineValues === 0 ? 0 : seenOnce / baselineValues));
  const corrected = correctedEffects({ psi, jensenShannon: js }, noise);
  const examples = unseenExamples.map((e) => JSON.stringify(e.value)).join(', ');
  // Folded: the pooled share of rare and unseen values rose, or one unseen value holds far more than any unlisted category could.
  const top = unseenExamples[0];
  const bound = unlistedShareBound(p);
  const topShare = top && values > 0 ? top.count / values : 0;
  // Two samples' shares: two standard errors of their difference are taken out, as the effect sizes' noise is.
  const restNoise =
    values === 0 || baselineValues === 0 ? 0 : 2 * Math.sqrt(baselineRestRate * (1 - baselineRestRate) * (1 / baselineValues + 1 / values));
  const excess = folded
    ? Math.max(windowRestRate - baselineRestRate - restNoise, topShare - bound)
    : unseenCategoryRate - baselineOtherRate;
  const foldedDetail = folded
    ? `, ${formatRate(windowRestRate)} with the baseline's rare categories vs ${formatRate(baselineRestRate)} in the baseline (± ${formatRate(restNoise)} by chance)${top ? `; ${JSON.stringify(top.value)} alone ${formatRate(topShare)}, where a category the baseline did not list holds at most ${formatRate(bound)}` : ''}`
    : '';
  const checks: QualityCheck[] = [
    qualityCheck(
      'unseenCategories',
      t.unseenCategoryRate,
      excess,
      `${formatRate(unseenCategoryRate)} unseen categories${examples ? ` (${examples})` : ''}${foldedDetail} (limit +${formatRate(t.unseenCategoryRate ?? 0)})`,
      values,
      t.minTestSampleSize,
    ),
  ];
  const distribution: DistributionMeasure = {
    evaluated: values > 0 && values >= t.minSampleSize && baselineValues >= t.minSampleSize,
    test: {
      metric: 'chiSquared',
      pValue: chi.pValue,
      alpha: t.chiSquaredPValue,
      describe: `chi2=${formatNumber(chi.statistic)} dof=${chi.dof} ${formatPValue(chi.pValue)}`,
      degenerate: chi.dof === 0,
    },
    effects: [
      { metric: 'psi', raw: psi, corrected: corrected.psi, noise: noise.psi, threshold: t.psi },
      {
        metric: 'jensenShannon',
        raw: js,
        corrected: corrected.jensenShannon,
        noise: Math.sqrt(noise.jsDivergence),
        threshold: t.jensenShannon,
      },
    ],
  };
  return {
    values,
    checks,
    quality: { unseenCategoryRate, baselineOtherRate, unseenExamples },
    metrics: {
      psi,
      jensenShannon: js,
      chiSquared: chi,
      noise: { psi: noise.psi, jensenShannon: Math.sqrt(noise.jsDivergence) },
      corrected,
    },
    distribution,
  };
}
