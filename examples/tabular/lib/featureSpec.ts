import { z } from 'zod';

/** How one input column becomes model inputs; stored in model.json, so it is a schema. */
export const NumericFeature = z.strictObject({
  name: z.string(),
  type: z.literal('numeric'),
  /** Training mean; also the value a missing cell gets. */
  mean: z.number(),
  /** Training standard deviation (1 when the column is constant). */
  std: z.number().positive(),
});
export const CategoricalFeature = z.strictObject({
  name: z.string(),
  type: z.literal('categorical'),
  /** One indicator per category, in this order, then one for OTHER_CATEGORY. */
  categories: z.array(z.string()),
});
export const FeatureSpec = z.discriminatedUnion('type', [NumericFeature, CategoricalFeature]);
export type NumericFeature = z.infer<typeof NumericFeature>;
export type CategoricalFeature = z.infer<typeof CategoricalFeature>;
export type FeatureSpec = z.infer<typeof FeatureSpec>;

/** Bucket for rare categories and for categories first seen at scoring time. */
export const OTHER_CATEGORY = '__other__';
/** A missing categorical cell is a category of its own: missingness often carries signal. */
export const MISSING_CATEGORY = '__missing__';

/** Number of model inputs a feature turns into. */
export function encodedWidth(feature: FeatureSpec): number {
  return feature.type === 'numeric' ? 1 : feature.categories.length + 1;
}

/** Names of the model inputs, e.g. `tenure_months`, `contract=two-year`, `contract=__other__`. */
export function encodedNames(features: readonly FeatureSpec[]): string[] {
  return features.flatMap((f) => (f.type === 'numeric' ? [f.name] : [...f.categories, OTHER_CATEGORY].map((c) => `${f.name}=${c}`)));
}
