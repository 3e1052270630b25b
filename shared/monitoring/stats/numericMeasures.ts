import type { NumericProfile } from './baselineProfile';
import { jensenShannonDistance, populationStabilityIndex } from './binDivergences';
import type { DistributionMeasure } from './distributionJudgement';
import type { KsResult } from './driftReport';
import type { DriftThresholds } from './driftThresholds';
import { qualityCheck, type QualityCheck } from './qualityCheck';
import { formatNumber, formatPValue, formatRate } from './formatReason';
import { KllSketch, rankErrorBound } from './kllSketch';
import { EXACT_KS_MAX_PRODUCT, ksPValueAsymptotic, ksPValueExact } from './kolmogorov';
import { sampleDistances } from './sampleDistances';
import { binNoise, correctedEffects, wassersteinNoise } from './samplingNoise';
import type { NumericWindow } from './windowProfile';

/** A numeric feature: PSI and JS over the baseline's bins, normalized Wasserstein, KS (the test), and their noise floors. */
export function numericMeasures(p: NumericProfile, w: NumericWindow, t: DriftThresholds) {
  const values = w.sketch.n;
  const nonMissing = w.count - w.missing;
  const outOfRangeRate = nonMissing === 0 ? 0 : w.outOfRange / nonMissing;
  const typeErrorRate = nonMissing === 0 ? 0 : w.typeErrors / nonMissing;
  const quality = { outOfRangeRate, typeErrorRate, typeErrorExamples: w.typeErrorExamples };
  const psi = populationStabilityIndex(p.binCounts, w.binCounts);
  const js = jensenShannonDistance(p.binCounts, w.binCounts);
  const checks: QualityCheck[] = [
    qualityCheck(
      'outOfRange',
      t.outOfRangeRate,
      outOfRangeRate,
      `${formatRate(outOfRangeRate)} out of range [${formatNumber(p.validRange.min)}, ${formatNumber(p.validRange.max)}] (limit ${formatRate(t.outOfRangeRate ?? 0)})`,
      nonMissing,
      t.minTestSampleSize,
    ),
    qualityCheck(
      'typeErrors',
      t.typeErrorRate,
      typeErrorRate,
      `${formatRate(typeErrorRate)} not numbers, e.g. ${JSON.stringify(w.typeErrorExamples[0] ?? '')} (limit ${formatRate(t.typeErrorRate ?? 0)})`,
      nonMissing,
      t.minTestSampleSize,
    ),
  ];
  if (values === 0) {
    const distribution: DistributionMeasure = {
      evaluated: false,
      test: { metric: 'ks', pValue: 1, alpha: t.ksPValue, describe: '' },
      effects: (['psi', 'jensenShannon', 'wasserstein'] as const).map((metric) => ({
        metric,
        raw: 0,
        corrected: 0,
        noise: 0,
        threshold: t[metric],
      })),
    };
    return { values, checks, quality, metrics: { psi, jensenShannon: js }, distribution };
  }
  const base = KllSketch.fromJSON(p.sketch);
  const win = KllSketch.fromJSON(w.sketch);
  const baseItems = base.weightedItems();
  const { ks, wasserstein } = sampleDistances(baseItems, win.weightedItems());
  const ksResult = ksTest(ks, base, win);
  const scale = p.std > 0 ? p.std : 1;
  const span = Math.max(base.max, win.max) - Math.min(base.min, win.min);
  const normalized = wasserstein / scale;
  // Beyond each end of n baseline draws lies about 1/(n + 1) of the distribution: the outer bins' expected share.
  const noise = {
    ...binNoise(p.binCounts, values, () => 1 / (base.n + 1)),
    wasserstein: wassersteinNoise(baseItems, base.n, values, scale),
  };
  const corrected = correctedEffects({ psi, jensenShannon: js, wasserstein: normalized }, noise);
  const metrics = {
    psi,
    jensenShannon: js,
    wasserstein: normalized,
    wassersteinRaw: wasserstein,
    wassersteinErrorBound: (ksResult.errorBound * span) / scale,
    ks: ksResult,
    noise: { psi: noise.psi, jensenShannon: Math.sqrt(noise.jsDivergence), wasserstein: noise.wasserstein },
    corrected,
  };
  const distribution: DistributionMeasure = {
    evaluated: values >= t.minSampleSize && base.n >= t.minSampleSize,
    test: {
      metric: 'ks',
      pValue: ksResult.conservativePValue,
      alpha: t.ksPValue,
      describe: `KS D=${formatNumber(ks)} ${formatPValue(ksResult.pValue)}`,
      degenerate: base.min === base.max && win.min === win.max && base.min === win.min,
    },
    effects: [
      { metric: 'psi', raw: psi, corrected: corrected.psi, noise: metrics.noise.psi, threshold: t.psi },
      {
        metric: 'jensenShannon',
        raw: js,
        corrected: corrected.jensenShannon,
        noise: metrics.noise.jensenShannon,
        threshold: t.jensenShannon,
      },
      {
        metric: 'wasserstein',
        raw: normalized,
        corrected: corrected.wasserstein!,
        noise: metrics.noise.wasserstein,
        threshold: t.wasserstein,
        scale: p.std > 0 ? 'std' : 'units',
      },
    ],
  };
  return { values, checks, quality, metrics, distribution };
}

/** D and its p-value: exact lattice paths when both samples are whole and small, else asymptotic. */
function ksTest(d: number, base: KllSketch, win: KllSketch): KsResult {
  const exactStatistic = base.isExact() && win.isExact();
  const errorBound = (base.isExact() ? 0 : rankErrorBound(base.k)) + (win.isExact() ? 0 : rankErrorBound(win.k));
  const m = base.n;
  const n = win.n;
  const exactP = exactStatistic && m * n <= EXACT_KS_MAX_PRODUCT;
  const pValue = exactP ? ksPValueExact(d, m, n) : ksPValueAsymptotic(d, m, n);
  const conservativePValue = errorBound === 0 ? pValue : ksPValueAsymptotic(Math.max(0, d - errorBound), m, n);
  return { statistic: d, pValue, method: exactP ? 'exact' : 'asymptotic', exactStatistic, errorBound, conservativePValue };
}
