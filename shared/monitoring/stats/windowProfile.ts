import { z } from 'zod';
import { CategoryCounts } from './categoryCounter';
import { KllSketchState } from './kllSketch';
import { Moments } from './runningMoments';

/**
 * A monitoring window's statistics in the baseline's bins and categories (JSON, so windows
 * computed in parts, e.g. per blob, can be stored and merged later).
 */
const Common = {
  name: z.string(),
  /** Rows seen. */
  count: z.int().min(0),
  /** Rows where the value was null, empty or NaN (absent keys included). */
  missing: z.int().min(0),
  /** Rows (objects) that did not have the key at all. */
  absent: z.int().min(0),
};

export const NumericWindow = z.object({
  ...Common,
  type: z.literal('numeric'),
  /** Non-missing values that are not numbers; left out of every distribution. */
  typeErrors: z.int().min(0),
  typeErrorExamples: z.array(z.string()),
  /** Numbers outside the baseline's `validRange`. */
  outOfRange: z.int().min(0),
  /** Counts in the baseline's bins (same length as the baseline's `binCounts`). */
  binCounts: z.array(z.number()),
  moments: Moments,
  sketch: KllSketchState,
});
export type NumericWindow = z.infer<typeof NumericWindow>;

export const CategoricalWindow = z.object({
  ...Common,
  type: z.literal('categorical'),
  /** Counts per baseline category, in the baseline's order, then one for everything else (`__other__`). */
  counts: z.array(z.number()),
  /** The values that fell outside the baseline's categories (bounded; for reports). */
  unseen: CategoryCounts,
});
export type CategoricalWindow = z.infer<typeof CategoricalWindow>;

export const FeatureWindow = z.discriminatedUnion('type', [NumericWindow, CategoricalWindow]);
export type FeatureWindow = z.infer<typeof FeatureWindow>;

export const WindowProfile = z.object({
  schemaVersion: z.literal(1),
  rows: z.int().min(0),
  features: z.array(FeatureWindow),
  prediction: FeatureWindow.optional(),
});
export type WindowProfile = z.infer<typeof WindowProfile>;
