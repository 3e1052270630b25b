/**
 * @module Drift and data-quality statistics for model monitoring: a streaming baseline
 * profile, mergeable window accumulators, and the comparison with thresholds. Pure and
 * bounded in memory; methods, defaults and error bounds in docs/monitoring-statistics.md.
 */
export { BaselineProfile, CategoricalProfile, FeatureProfile, NumericProfile, OTHER_CATEGORY, QUANTILE_LEVELS } from './baselineProfile';
export { PSI_EPSILON, jensenShannonDistance, populationStabilityIndex } from './binDivergences';
export { chiSquaredHomogeneity, chiSquaredSurvival, upperRegularizedGamma, type ChiSquaredResult } from './chiSquared';
export { compareToBaseline } from './compareToBaseline';
export { DriftAccumulator, createWindowProfile, mergeWindows } from './driftAccumulator';
export { HISTOGRAM_CATEGORIES, HISTOGRAM_OTHER, categoricalHistogram, numericHistogram, type DriftHistogram } from './driftHistogram';
export type { DriftReport, EffectSizes, FeatureDrift, KsResult, MetricName } from './driftReport';
export {
  DEFAULT_DRIFT_THRESHOLDS,
  DriftThresholdOverrides,
  DriftThresholds,
  resolveThresholds,
  type CompareToBaselineOptions,
} from './driftThresholds';
export { DEFAULT_SKETCH_K, KllSketch, KllSketchState, rankErrorBound } from './kllSketch';
export { EXACT_KS_MAX_PRODUCT, kolmogorovSurvival, ksPValueAsymptotic, ksPValueExact } from './kolmogorov';
export { BaselineProfiler, profileBaseline, type ProfileBaselineOptions, type Row } from './profileBaseline';
export { holmAdjust } from './holmAdjust';
export { pooledChiSquared } from './pooledChiSquared';
export { binNoise, correctedEffects, wassersteinNoise, type NoiseFloor } from './samplingNoise';
export type { Significance } from './distributionJudgement';
export { exactSample, sampleDistances, type SampleDistances, type WeightedSample } from './sampleDistances';
export { FeatureWindow, WindowProfile } from './windowProfile';
