import { computeMetrics, type ClassificationMetrics } from '../../../shared/evaluation/metrics';
import type { CsvTable } from './readCsvTable';
import { encodeLabels, type ClassLabel } from './encodeLabels';
import { encodedNames, encodedWidth } from './featureSpec';
import { fitFeatures } from './fitFeatures';
import { encodeRows } from './encodeRows';
import { DEFAULT_L2, fitLogisticRegression, predictProbabilities, type LinearModel } from './logisticRegression';
import { MODEL_FORMAT, type ClassifierDocument } from './modelDocument';
import { isMissing } from './parseNumber';
import { stratifiedSplit } from './stratifiedSplit';
import { TrainingDataError } from './TrainingDataError';

export interface TrainOptions {
  /** @default 42 */
  seed?: number;
  /** @default DEFAULT_L2 (see logisticRegression.ts) */
  l2?: number;
  /** @default 500 */
  maxIterations?: number;
  /** Share of rows held out (stratified) to report validation metrics; 0 fits on all. @default 0.1 */
  validationFraction?: number;
  /** Log an iteration line every this many iterations. @default 10 */
  logEvery?: number;
  /** Progress lines. @default ignore */
  log?: (line: string) => void;
  /** Name used in error messages. @default 'data' */
  source?: string;
}

export interface TrainResult {
  model: ClassifierDocument;
  train: ClassificationMetrics;
  validation?: ClassificationMetrics;
}

/** Fits the preprocessing and the logistic regression on a parsed table. Deterministic. */
export function trainModel(table: CsvTable, labelColumn: string, options: TrainOptions = {}): TrainResult {
  const source = options.source ?? 'data';
  const seed = options.seed ?? 42;
  const l2 = options.l2 ?? DEFAULT_L2;
  const fraction = options.validationFraction ?? 0.1;
  const log = options.log ?? (() => {});
  const labelIndex = table.columns.indexOf(labelColumn);
  if (labelIndex < 0) {
    throw new TrainingDataError(source, `no label column '${labelColumn}'; columns found: ${table.columns.join(', ')}`);
  }
  const featureColumns = table.columns.filter((_, j) => j !== labelIndex);
  if (featureColumns.length === 0)
    throw new TrainingDataError(source, `only the label column '${labelColumn}' is present; add feature columns`);
  // Rows without a label cannot teach anything; they are counted, not fatal.
  const labelled = table.rows.filter((row) => !isMissing(row[labelIndex]));
  const labels = encodeLabels(labelled.map((row) => row[labelIndex]!));
  if (labels.classes.length < 2) {
    const found = labels.classes.length === 0 ? 'no labels at all' : `only the class ${JSON.stringify(labels.classes[0])}`;
    throw new TrainingDataError(source, `label column '${labelColumn}' has ${found}; need at least 2 classes`);
  }
  const cells = labelled.map((row) => row.filter((_, j) => j !== labelIndex));

  const split = stratifiedSplit(labels.y, labels.classes.length, fraction, seed);
  const pick = <T>(indices: number[], values: ArrayLike<T>): T[] => indices.map((i) => values[i]!);
  const features = fitFeatures(featureColumns, pick(split.train, cells));
  const width = features.reduce((sum, f) => sum + encodedWidth(f), 0);
  const numeric = features.filter((f) => f.type === 'numeric').length;
  log(
    `features: ${numeric} numeric, ${features.length - numeric} categorical -> ${width} model inputs; ` +
      `classes: ${labels.classes.join(', ')} (${labels.classes.length === 2 ? 'binary' : 'multinomial'}); ` +
      `rows: ${split.train.length} training, ${split.validation.length} validation` +
      (labelled.length < table.rows.length ? `, ${table.rows.length - labelled.length} without label skipped` : ''),
  );

  const xTrain = encodeRows(features, pick(split.train, cells));
  const yTrain = Int32Array.from(pick(split.train, labels.y));
  const logEvery = options.logEvery ?? 10;
  const fit = fitLogisticRegression(xTrain, width, yTrain, labels.classes.length, {
    l2,
    maxIterations: options.maxIterations ?? 500,
    onIteration: ({ iteration, value, gradientNorm }) => {
      if (iteration % logEvery === 0)
        log(`iteration ${iteration}: loss ${value.toFixed(6)}, max |gradient| ${gradientNorm.toExponential(2)}`);
    },
  });
  log(
    `stopped after ${fit.iterations} iterations (${fit.stopReason}): loss ${fit.loss.toFixed(6)}, max |gradient| ${fit.gradientNorm.toExponential(2)}`,
  );

  const evaluate = (indices: number[], x: Float64Array): ClassificationMetrics =>
    metricsOf(
      fit,
      x,
      width,
      pick(indices, labels.y).map((k) => labels.classes[k]!),
      labels.classes,
    );
  const train = evaluate(split.train, xTrain);
  const validation =
    split.validation.length > 0 ? evaluate(split.validation, encodeRows(features, pick(split.validation, cells))) : undefined;

  const model: ClassifierDocument = {
    format: MODEL_FORMAT,
    formatVersion: 1,
    labelColumn,
    classes: labels.classes,
    features,
    inputs: encodedNames(features),
    intercepts: fit.intercepts,
    coefficients: fit.coefficients,
    training: {
      seed,
      l2,
      rows: table.rows.length,
      trainingRows: split.train.length,
      validationRows: split.validation.length,
      rowsWithoutLabel: table.rows.length - labelled.length,
      iterations: fit.iterations,
      stopReason: fit.stopReason,
      loss: fit.loss,
      gradientNorm: fit.gradientNorm,
      metrics: { train: { ...train }, validation: validation ? { ...validation } : null },
    },
  };
  return { model, train, ...(validation ? { validation } : {}) };
}

function metricsOf(model: LinearModel, x: Float64Array, width: number, yTrue: ClassLabel[], classes: ClassLabel[]): ClassificationMetrics {
  const flat = predictProbabilities(model, x, width);
  const k = classes.length;
  const rows = Array.from({ length: yTrue.length }, (_, i) => Array.from(flat.subarray(i * k, (i + 1) * k)));
  return computeMetrics(yTrue, rows, classes);
}
