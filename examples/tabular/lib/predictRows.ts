import { argmax } from '../../../shared/evaluation/metrics';
import type { ClassLabel } from './encodeLabels';
import { encodedWidth } from './featureSpec';
import { encodeRows } from './encodeRows';
import { predictProbabilities } from './logisticRegression';
import { predictRidge } from './ridgeRegression';
import type { ClassifierDocument, ModelDocument, RegressorDocument } from './modelDocument';

/** What a regressor answers: one number per row. */
export interface NumericPrediction {
  predictions: number[];
}

export interface Prediction {
  /** Most probable class per row (the first on ties). */
  predictions: ClassLabel[];
  /** probabilities[i][k]: probability that row i is classes[k]. */
  probabilities: number[][];
  classes: ClassLabel[];
}

/** Scores rows whose cells are in the order of `model.features`. */
export function predictRows(model: ClassifierDocument, rows: readonly (readonly unknown[])[]): Prediction;
export function predictRows(model: RegressorDocument, rows: readonly (readonly unknown[])[]): NumericPrediction;
export function predictRows(model: ModelDocument, rows: readonly (readonly unknown[])[]): Prediction | NumericPrediction;
export function predictRows(model: ModelDocument, rows: readonly (readonly unknown[])[]): Prediction | NumericPrediction {
  const width = model.features.reduce((sum, f) => sum + encodedWidth(f), 0);
  if (model.format === 'mlops-autopilot/linear-regression') {
    return { predictions: Array.from(predictRidge(model, encodeRows(model.features, rows), width)) };
  }
  const flat = predictProbabilities(model, encodeRows(model.features, rows), width);
  const k = model.classes.length;
  const probabilities = rows.map((_, i) => Array.from(flat.subarray(i * k, (i + 1) * k)));
  return {
    predictions: probabilities.map((p) => model.classes[argmax(p)]!),
    probabilities,
    classes: [...model.classes],
  };
}
