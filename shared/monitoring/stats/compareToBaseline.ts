import type { BaselineProfile, FeatureProfile } from './baselineProfile';
import { DriftAccumulator } from './driftAccumulator';
import { DISTRIBUTION_METRICS, type DriftReport, type FeatureDrift } from './driftReport';
import { resolveThresholds, type CompareToBaselineOptions } from './driftThresholds';
import { judgeFeature, measureFeature } from './featureDrift';
import { holmAdjust } from './holmAdjust';
import { WindowProfile } from './windowProfile';

/**
 * Compares a window with its baseline: per feature and for the predictions, PSI and
 * Jensen–Shannon on the baseline's bins/categories, normalized Wasserstein and KS for
 * numeric features, chi-squared for categorical ones, and the data-quality rates.
 * A feature drifts only when its test is significant after Holm's correction over every
 * feature tested (and the predictions) AND a noise-corrected effect size is above its
 * threshold (docs/monitoring-statistics.md). An empty or too-small window is reported as
 * `insufficientData`, never as a pass.
 */
export function compareToBaseline(
  baseline: BaselineProfile,
  window: DriftAccumulator | WindowProfile,
  options: CompareToBaselineOptions = {},
): DriftReport {
  const state = window instanceof DriftAccumulator ? window.toJSON() : WindowProfile.parse(window);
  const measured = baseline.features.map((profile) => {
    const w = state.features.find((f) => f.name === profile.name);
    if (!w)
      throw new RangeError(`the window has no feature '${profile.name}'; build it with createWindowProfile(baseline) of the same baseline`);
    return measureFeature(profile, w, resolveThresholds(options, profile.name, false), 'feature');
  });
  if (baseline.prediction && state.prediction) {
    measured.push(
      measureFeature(baseline.prediction, state.prediction, resolveThresholds(options, baseline.prediction.name, true), 'prediction'),
    );
  }
  // The family: every feature whose test runs in this comparison.
  const pValues = measured.map((m) =>
    m.distribution.evaluated && m.distribution.test && m.distribution.test.alpha !== null && !m.distribution.test.degenerate
      ? m.distribution.test.pValue
      : undefined,
  );
  const adjusted = holmAdjust(pValues);
  const tests = pValues.filter((p) => p !== undefined).length;
  const all: FeatureDrift[] = measured.map((m, i) => judgeFeature(m, adjusted[i], tests));
  const prediction = all.find((f) => f.role === 'prediction');
  const features = all.filter((f) => f.role === 'feature');
  const drifted = all.some((f) => f.breached.some((m) => DISTRIBUTION_METRICS.includes(m)));
  const dataQualityDegraded = all.some((f) => f.breached.some((m) => !DISTRIBUTION_METRICS.includes(m)));
  const insufficientData = state.rows === 0 || all.every((f) => f.status === 'insufficient-data');
  const reasons = all.filter((f) => f.reasons.length > 0).map((f) => `${f.role} ${f.feature}: ${f.reasons.join(', ')}`);
  // Some features judged, some not: a reader of the reasons must not take the silent ones for ok.
  if (!insufficientData) {
    all.forEach((f, i) => {
      if (f.status !== 'insufficient-data') return;
      const profile = f.role === 'prediction' ? baseline.prediction! : baseline.features[i]!;
      reasons.push(
        `${f.role} ${f.feature}: not judged: ${f.values} values in the window and ${baselineValues(profile)} in the baseline, ${f.thresholds.minSampleSize} needed on each side`,
      );
    });
  }
  if (insufficientData) {
    const largest = Math.max(0, ...all.map((f) => f.values));
    const windowLargeEnough = all.every((f) => f.values >= f.thresholds.minSampleSize);
    reasons.unshift(
      state.rows === 0
        ? 'window is empty: nothing was compared'
        : windowLargeEnough
          ? `baseline too small: ${baseline.rows} rows, fewer values per feature than the minimum sample for any test`
          : `window too small: at most ${largest} values per feature, too few for any test`,
    );
  }
  return {
    drifted,
    dataQualityDegraded,
    insufficientData,
    multipleTesting: { method: 'holm', tests },
    windowRows: state.rows,
    baselineRows: baseline.rows,
    features,
    ...(prediction ? { prediction } : {}),
    reasons,
  };
}

/** Values a feature's distribution was profiled from (numbers for a numeric feature: type errors are not values). */
function baselineValues(p: FeatureProfile): number {
  return p.type === 'numeric' ? p.sketch.n : p.count - p.missing;
}
