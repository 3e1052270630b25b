import type { BaselineProfile } from './baselineProfile';
import { DriftAccumulator } from './driftAccumulator';
import { DISTRIBUTION_METRICS, type DriftReport, type FeatureDrift } from './driftReport';
import { resolveThresholds, type CompareToBaselineOptions } from './driftThresholds';
import { featureDrift } from './featureDrift';
import { WindowProfile } from './windowProfile';

/**
 * Compares a window with its baseline: per feature and for the predictions, PSI and
 * Jensen–Shannon on the baseline's bins/categories, normalized Wasserstein and KS for
 * numeric features, chi-squared for categorical ones, and the data-quality rates; each
 * against its threshold (defaults in driftThresholds.ts, overridable per feature).
 * An empty or too-small window is reported as `insufficientData`, never as a pass.
 */
export function compareToBaseline(
  baseline: BaselineProfile,
  window: DriftAccumulator | WindowProfile,
  options: CompareToBaselineOptions = {},
): DriftReport {
  const state = window instanceof DriftAccumulator ? window.toJSON() : WindowProfile.parse(window);
  const features = baseline.features.map((profile) => {
    const w = state.features.find((f) => f.name === profile.name);
    if (!w) throw new RangeError(`the window has no feature '${profile.name}'; build it with createWindowProfile(baseline) of the same baseline`);
    return featureDrift(profile, w, resolveThresholds(options, profile.name, false), 'feature');
  });
  const prediction =
    baseline.prediction && state.prediction
      ? featureDrift(baseline.prediction, state.prediction, resolveThresholds(options, baseline.prediction.name, true), 'prediction')
      : undefined;
  const all: FeatureDrift[] = prediction ? [...features, prediction] : features;
  const drifted = all.some((f) => f.breached.some((m) => DISTRIBUTION_METRICS.includes(m)));
  const dataQualityDegraded = all.some((f) => f.breached.some((m) => !DISTRIBUTION_METRICS.includes(m)));
  const insufficientData = state.rows === 0 || all.every((f) => f.status === 'insufficient-data');
  const reasons = all.filter((f) => f.reasons.length > 0).map((f) => `${f.role} ${f.feature}: ${f.reasons.join(', ')}`);
  if (insufficientData) {
    const largest = Math.max(0, ...all.map((f) => f.values));
    reasons.unshift(state.rows === 0 ? 'window is empty: nothing was compared' : `window too small: at most ${largest} values per feature, too few for any test`);
  }
  return {
    drifted,
    dataQualityDegraded,
    insufficientData,
    windowRows: state.rows,
    baselineRows: baseline.rows,
    features,
    ...(prediction ? { prediction } : {}),
    reasons,
  };
}
