import { z } from 'zod';
import { KllSketchState } from './kllSketch';

/**
 * The training-data profile stored with each model version (JSON). Numeric bins are
 * [−∞, e0) · [e0, e1) · … · [e_{L−2}, e_{L−1}] · (e_{L−1}, +∞): L edges at the baseline's
 * min, quantiles and max, so the outer two bins are empty in the baseline and catch values
 * outside its range.
 */
const Common = {
  name: z.string(),
  /** Rows seen (missing included). */
  count: z.int().min(0),
  missing: z.int().min(0),
  missingRate: z.number().min(0).max(1),
};

export const NumericProfile = z.object({
  ...Common,
  type: z.literal('numeric'),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  /** Population standard deviation (ddof = 0). */
  std: z.number().min(0),
  /** Quantiles keyed p1, p5, p10, p25, p50, p75, p90, p95, p99. */
  quantiles: z.record(z.string(), z.number()),
  binEdges: z.array(z.number()).min(2),
  /** One count per bin: edges.length + 1 (the outer two are 0 in the baseline). */
  binCounts: z.array(z.number()),
  /** True when bins and quantiles come from all values, false when from the sketch. */
  exact: z.boolean(),
  /** Values outside this are out of range: a declared range, else [min, max] widened by the margin. */
  validRange: z.object({ min: z.number(), max: z.number(), declared: z.boolean() }),
  sketch: KllSketchState,
});
export type NumericProfile = z.infer<typeof NumericProfile>;

export const CategoricalProfile = z.object({
  ...Common,
  type: z.literal('categorical'),
  /** The most frequent categories (at most `maxCategories`), by descending count. */
  categories: z.array(z.object({ value: z.string(), count: z.number() })),
  /** Non-missing values outside `categories` (`__other__`): 0 when the list is exhaustive. */
  otherCount: z.number().min(0),
  /** Max under-estimate of any category count (0 unless more than the counter's capacity of distinct values). */
  undercount: z.number().min(0),
});
export type CategoricalProfile = z.infer<typeof CategoricalProfile>;

export const FeatureProfile = z.discriminatedUnion('type', [NumericProfile, CategoricalProfile]);
export type FeatureProfile = z.infer<typeof FeatureProfile>;

export const BaselineProfile = z.object({
  schemaVersion: z.literal(1),
  /** Column order of array rows, as given to profileBaseline (excluded columns included). */
  columns: z.array(z.string()),
  rows: z.int().min(0),
  features: z.array(FeatureProfile),
  /** The model's predictions on the baseline, profiled as a categorical feature. */
  prediction: FeatureProfile.optional(),
  settings: z.object({ binCount: z.int(), maxCategories: z.int(), sketchK: z.int(), rangeMargin: z.number() }),
  /**
   * Where the rows came from: the features from the rows the model was trained on, the
   * prediction from its answers on the holdout. Absent in profiles written before 2026-12,
   * which profiled features and predictions on the holdout alone (`rows` holdout rows).
   */
  sources: z
    .object({
      features: z.object({ kind: z.enum(['training', 'holdout']), rows: z.int().min(0) }),
      prediction: z.object({ kind: z.literal('holdout'), rows: z.int().min(0) }).optional(),
    })
    .optional(),
});
export type BaselineProfile = z.infer<typeof BaselineProfile>;

export const OTHER_CATEGORY = '__other__';
export const QUANTILE_LEVELS = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99] as const;
