import { z } from 'zod';
import { FeatureSpec } from './featureSpec';

export const MODEL_FORMAT = 'mlops-autopilot/logistic-regression';
export const REGRESSOR_FORMAT = 'mlops-autopilot/linear-regression';

const MetricSet = z.strictObject({
  auc: z.number().nullable(),
  accuracy: z.number().nullable(),
  f1: z.number().nullable(),
  log_loss: z.number().nullable(),
});

const RegressionMetricSet = z.strictObject({
  rmse: z.number().nullable(),
  mae: z.number().nullable(),
  r2: z.number().nullable(),
  /** Absent when a target is 0 (undefined there). */
  mape: z.number().nullable().optional(),
});

/** The training summary both documents carry. */
const TrainingCounts = {
  seed: z.int(),
  /** The penalty used (ridgeRegression.ts adds a tiny one to collinear inputs when 0 was asked). */
  l2: z.number(),
  rows: z.int(),
  trainingRows: z.int(),
  validationRows: z.int(),
  rowsWithoutLabel: z.int(),
};

/**
 * model.json of a classifier: everything scoring needs, plus a training summary. It holds no
 * timestamps or timings, so the same data, code and seed give the same bytes.
 */
export const ClassifierDocument = z.strictObject({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.literal(1),
  labelColumn: z.string(),
  /** Class labels in model order; binary models predict classes[1] with the sigmoid. */
  classes: z.array(z.union([z.string(), z.number()])).min(2),
  /** Input columns in training order (the order `{"data": [[...]]}` rows use). */
  features: z.array(FeatureSpec).min(1),
  /** Names of the encoded model inputs, for people reading the coefficients. */
  inputs: z.array(z.string()),
  intercepts: z.array(z.number()).min(1),
  coefficients: z.array(z.array(z.number())).min(1),
  training: z.strictObject({
    ...TrainingCounts,
    iterations: z.int(),
    stopReason: z.string(),
    loss: z.number(),
    gradientNorm: z.number(),
    metrics: z.strictObject({ train: MetricSet, validation: MetricSet.nullable() }),
  }),
});
export type ClassifierDocument = z.infer<typeof ClassifierDocument>;

/** model.json of a regressor (`--task regression`): one linear output, the same preprocessing. */
export const RegressorDocument = z.strictObject({
  format: z.literal(REGRESSOR_FORMAT),
  formatVersion: z.literal(1),
  labelColumn: z.string(),
  features: z.array(FeatureSpec).min(1),
  inputs: z.array(z.string()),
  intercept: z.number(),
  coefficients: z.array(z.number()).min(1),
  training: z.strictObject({
    ...TrainingCounts,
    metrics: z.strictObject({ train: RegressionMetricSet, validation: RegressionMetricSet.nullable() }),
  }),
});
export type RegressorDocument = z.infer<typeof RegressorDocument>;

export const ModelDocument = z.discriminatedUnion('format', [ClassifierDocument, RegressorDocument]);
export type ModelDocument = z.infer<typeof ModelDocument>;

/** Stable bytes: keys in the order they were built, non-finite numbers as null, one trailing newline. */
export function serializeModel(model: ModelDocument): string {
  return `${JSON.stringify(model, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`;
}
