import { argmax } from '../../../shared/evaluation/metrics';
import type { ClassLabel } from './encodeLabels';
import { encodedWidth } from './featureSpec';
import { encodeRows } from './encodeRows';
import { predictProbabilities } from './logisticRegression';
import type { ModelDocument } from './modelDocument';

export interface Prediction {
  /** Most probable class per row (the first on ties). */
  predictions: ClassLabel[];
  /** probabilities[i][k]: probability that row i is classes[k]. */
  probabilities: number[][];
  classes: ClassLabel[];
}

/** Scores rows whose cells are in the order of `model.features`. */
export function predictRows(model: ModelDocument, rows: readonly (readonly unknown[])[]): Prediction {
  const width = model.features.reduce((sum, f) => sum + encodedWidth(f), 0);
  const flat = predictProbabilities(model, encodeRows(model.features, rows), width);
  const k = model.classes.length;
  const probabilities = rows.map((_, i) => Array.from(flat.subarray(i * k, (i + 1) * k)));
  return {
    predictions: probabilities.map((p) => model.classes[argmax(p)]!),
    probabilities,
    classes: [...model.classes],
  };
}
