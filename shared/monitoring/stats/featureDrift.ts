import type { CategoricalProfile, FeatureProfile, NumericProfile } from './baselineProfile';
import { jensenShannonDistance, populationStabilityIndex } from './binDivergences';
import { chiSquaredHomogeneity } from './chiSquared';
import { categoricalHistogram, numericHistogram } from './driftHistogram';
import type { FeatureDrift, KsResult, MetricName } from './driftReport';
import type { DriftThresholds } from './driftThresholds';
import { formatNumber, formatPValue, formatRate } from './formatReason';
import { KllSketch, rankErrorBound } from './kllSketch';
import { EXACT_KS_MAX_PRODUCT, ksPValueAsymptotic, ksPValueExact } from './kolmogorov';
import { sampleDistances } from './sampleDistances';
import type { CategoricalWindow, FeatureWindow, NumericWindow } from './windowProfile';

/** One comparison: `n` is the sample size it rests on, compared only when n ≥ minimum. */
type Check = { metric: MetricName; breached: boolean; reason: string; n: number; minimum: number };

/** All metrics of one feature, each compared with its threshold when the window is big enough. */
export function featureDrift(profile: FeatureProfile, window: FeatureWindow, thresholds: DriftThresholds, role: FeatureDrift['role']): FeatureDrift {
  if (profile.type !== window.type) throw new RangeError(`feature ${profile.name}: window is ${window.type}, baseline ${profile.type}`);
  const partial = profile.type === 'numeric' ? numeric(profile, window as NumericWindow, thresholds) : categorical(profile, window as CategoricalWindow, thresholds);
  const t = thresholds;
  const nullRate = window.count === 0 ? 0 : window.missing / window.count;
  const absentRate = window.count === 0 ? 0 : window.absent / window.count;
  const checks: Check[] = [
    ...partial.checks,
    check('nullRate', t.nullRateIncrease, nullRate - profile.missingRate, `null rate ${formatRate(nullRate)} vs baseline ${formatRate(profile.missingRate)} (limit +${formatRate(t.nullRateIncrease ?? 0)})`, window.count, t.minTestSampleSize),
    // A feature that no row carries is reported from the first row: it is a broken pipeline, not noise.
    { metric: 'absent', breached: window.absent === window.count, reason: 'missing from every row of the window', n: window.count, minimum: 1 },
  ];
  const breached: MetricName[] = [];
  const notEvaluated: MetricName[] = [];
  const reasons: string[] = [];
  for (const c of checks) {
    if (c.n < c.minimum) notEvaluated.push(c.metric);
    else if (c.breached) {
      breached.push(c.metric);
      reasons.push(c.reason);
    }
  }
  // Only null rate and presence could be judged: the window says nothing about the distribution.
  const tooSmall = checks.every((c) => notEvaluated.includes(c.metric) || c.metric === 'absent' || c.metric === 'nullRate');
  return {
    feature: profile.name,
    role,
    type: profile.type,
    rows: window.count,
    values: partial.values,
    status: breached.length > 0 ? 'breached' : tooSmall ? 'insufficient-data' : 'ok',
    metrics: partial.metrics,
    quality: { nullRate, baselineNullRate: profile.missingRate, absentRate, ...partial.quality },
    breached,
    notEvaluated,
    reasons,
    thresholds: { ...thresholds },
    histogram: profile.type === 'numeric' ? numericHistogram(profile, window as NumericWindow) : categoricalHistogram(profile, window as CategoricalWindow),
  };
}

/** A "value > threshold" comparison; a null threshold switches it off (never evaluated). */
function check(metric: MetricName, threshold: number | null, value: number, reason: string, n: number, minimum: number): Check {
  return { metric, breached: threshold !== null && value > threshold, reason, n, minimum: threshold === null ? Infinity : minimum };
}

function numeric(p: NumericProfile, w: NumericWindow, t: DriftThresholds) {
  const values = w.sketch.n;
  const nonMissing = w.count - w.missing;
  const outOfRangeRate = nonMissing === 0 ? 0 : w.outOfRange / nonMissing;
  const typeErrorRate = nonMissing === 0 ? 0 : w.typeErrors / nonMissing;
  const quality = { outOfRangeRate, typeErrorRate, typeErrorExamples: w.typeErrorExamples };
  const psi = populationStabilityIndex(p.binCounts, w.binCounts);
  const js = jensenShannonDistance(p.binCounts, w.binCounts);
  const checks: Check[] = [
    check('outOfRange', t.outOfRangeRate, outOfRangeRate, `${formatRate(outOfRangeRate)} out of range [${formatNumber(p.validRange.min)}, ${formatNumber(p.validRange.max)}] (limit ${formatRate(t.outOfRangeRate ?? 0)})`, nonMissing, t.minTestSampleSize),
    check('typeErrors', t.typeErrorRate, typeErrorRate, `${formatRate(typeErrorRate)} not numbers, e.g. ${JSON.stringify(w.typeErrorExamples[0] ?? '')} (limit ${formatRate(t.typeErrorRate ?? 0)})`, nonMissing, t.minTestSampleSize),
  ];
  if (values === 0) {
    for (const metric of ['psi', 'jensenShannon', 'wasserstein', 'ks'] as const) checks.push({ metric, breached: false, reason: '', n: 0, minimum: 1 });
    return { values, checks, quality, metrics: { psi, jensenShannon: js } };
  }
  const base = KllSketch.fromJSON(p.sketch);
  const win = KllSketch.fromJSON(w.sketch);
  const { ks, wasserstein } = sampleDistances(base.weightedItems(), win.weightedItems());
  const ksResult = ksTest(ks, base, win);
  const scale = p.std > 0 ? p.std : 1;
  const span = Math.max(base.max, win.max) - Math.min(base.min, win.min);
  const normalized = wasserstein / scale;
  const metrics = { psi, jensenShannon: js, wasserstein: normalized, wassersteinRaw: wasserstein, wassersteinErrorBound: (ksResult.errorBound * span) / scale, ks: ksResult };
  checks.push(
    check('psi', t.psi, psi, `PSI ${formatNumber(psi)} > ${t.psi}`, values, t.minSampleSize),
    check('jensenShannon', t.jensenShannon, js, `JS ${formatNumber(js)} > ${t.jensenShannon}`, values, t.minSampleSize),
    check('wasserstein', t.wasserstein, normalized, `Wasserstein ${formatNumber(normalized)} std > ${t.wasserstein}`, values, t.minSampleSize),
    {
      metric: 'ks',
      breached: t.ksPValue !== null && ksResult.conservativePValue < t.ksPValue,
      reason: `KS D=${formatNumber(ks)} ${formatPValue(ksResult.pValue)}`,
      n: values,
      minimum: t.ksPValue === null ? Infinity : t.minTestSampleSize,
    },
  );
  return { values, checks, quality, metrics };
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

function categorical(p: CategoricalProfile, w: CategoricalWindow, t: DriftThresholds) {
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
  const chi = chiSquaredHomogeneity(baseline, w.counts);
  const examples = unseenExamples.map((e) => JSON.stringify(e.value)).join(', ');
  const checks: Check[] = [
    check('psi', t.psi, psi, `PSI ${formatNumber(psi)} > ${t.psi}`, values, t.minSampleSize),
    check('jensenShannon', t.jensenShannon, js, `JS ${formatNumber(js)} > ${t.jensenShannon}`, values, t.minSampleSize),
    {
      metric: 'chiSquared',
      breached: t.chiSquaredPValue !== null && chi.pValue < t.chiSquaredPValue,
      reason: `chi2=${formatNumber(chi.statistic)} dof=${chi.dof} ${formatPValue(chi.pValue)}`,
      n: values,
      minimum: t.chiSquaredPValue === null ? Infinity : t.minTestSampleSize,
    },
    check('unseenCategories', t.unseenCategoryRate, unseenCategoryRate - baselineOtherRate, `${formatRate(unseenCategoryRate)} unseen categories${examples ? ` (${examples})` : ''} (limit +${formatRate(t.unseenCategoryRate ?? 0)})`, values, t.minTestSampleSize),
  ];
  return { values, checks, quality: { unseenCategoryRate, baselineOtherRate, unseenExamples }, metrics: { psi, jensenShannon: js, chiSquared: chi } };
}
