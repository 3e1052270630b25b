import { z } from 'zod';

/**
 * When a metric counts as breached. `null` switches a check off. Defaults (see
 * docs/monitoring-statistics.md for why, and for the false-alarm rate they give):
 */
export const DriftThresholds = z.object({
  /** PSI above this. @default 0.2 (the usual "significant shift" line) */
  psi: z.number().positive().nullable(),
  /** Jensen–Shannon distance (base 2, in [0, 1]) above this. @default 0.1 */
  jensenShannon: z.number().positive().max(1).nullable(),
  /** Wasserstein-1 / baseline std above this. @default 0.1 */
  wasserstein: z.number().positive().nullable(),
  /** Family-wise α for KS (numeric features): Holm-adjusted p below this, over all features tested in a run. @default 0.01 */
  ksPValue: z.number().positive().max(1).nullable(),
  /** Family-wise α for chi-squared (categorical features and predictions), Holm-adjusted like KS. @default 0.01 */
  chiSquaredPValue: z.number().positive().max(1).nullable(),
  /** Null rate above the baseline's by more than this. @default 0.05 */
  nullRateIncrease: z.number().min(0).max(1).nullable(),
  /** Share of numbers outside the baseline's valid range above this. @default 0.05 */
  outOfRangeRate: z.number().min(0).max(1).nullable(),
  /** Share of non-numbers in a numeric feature above this. @default 0.01 */
  typeErrorRate: z.number().min(0).max(1).nullable(),
  /** Share of values outside the baseline's categories, above the baseline's own `__other__` share, by more than this. @default 0.05 */
  unseenCategoryRate: z.number().min(0).max(1).nullable(),
  /**
   * Values needed on each side (window and baseline) before a feature's distribution is judged
   * (its test and effect sizes); below it the feature is `insufficient-data`. The effect sizes'
   * sampling noise is subtracted and the test decides significance, so this only guards the
   * tests' approximations. @default 100
   */
  minSampleSize: z.int().min(1),
  /** Window values needed before the data-quality rates (nulls, range, types, unseen categories) are compared. @default 100 */
  minTestSampleSize: z.int().min(1),
});
export type DriftThresholds = z.infer<typeof DriftThresholds>;

export const DriftThresholdOverrides = DriftThresholds.partial();
export type DriftThresholdOverrides = z.infer<typeof DriftThresholdOverrides>;

export const DEFAULT_DRIFT_THRESHOLDS: Readonly<DriftThresholds> = Object.freeze({
  psi: 0.2,
  jensenShannon: 0.1,
  wasserstein: 0.1,
  ksPValue: 0.01,
  chiSquaredPValue: 0.01,
  nullRateIncrease: 0.05,
  outOfRangeRate: 0.05,
  typeErrorRate: 0.01,
  unseenCategoryRate: 0.05,
  minSampleSize: 100,
  minTestSampleSize: 100,
});

export interface CompareToBaselineOptions {
  /** Overrides for every feature and the predictions. @default {} */
  thresholds?: DriftThresholdOverrides;
  /** Overrides per feature name (on top of `thresholds`). @default {} */
  features?: Readonly<Record<string, DriftThresholdOverrides>>;
  /** Overrides for the prediction column (on top of `thresholds`). @default {} */
  prediction?: DriftThresholdOverrides;
}

/** Defaults, then the global overrides, then the feature's own; validated. */
export function resolveThresholds(options: CompareToBaselineOptions, feature: string, isPrediction: boolean): DriftThresholds {
  const own = isPrediction ? options.prediction : options.features?.[feature];
  return DriftThresholds.parse({ ...DEFAULT_DRIFT_THRESHOLDS, ...dropUndefined(options.thresholds), ...dropUndefined(own) });
}

function dropUndefined(o: DriftThresholdOverrides | undefined): DriftThresholdOverrides {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined));
}
