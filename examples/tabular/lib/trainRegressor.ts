import { regressionMetrics, type RegressionMetrics } from '../../../shared/evaluation/regressionMetrics';
import type { CsvTable } from './readCsvTable';
import { encodedNames, encodedWidth } from './featureSpec';
import { fitFeatures } from './fitFeatures';
import { encodeRows } from './encodeRows';
import { DEFAULT_L2 } from './logisticRegression';
import { REGRESSOR_FORMAT, type RegressorDocument } from './modelDocument';
import { isMissing, parseNumber } from './parseNumber';
import { createRng, shuffledIndices } from './random';
import { fitRidge, predictRidge } from './ridgeRegression';
import { TrainingDataError } from './TrainingDataError';
import type { TrainOptions } from './trainModel';

export interface RegressorResult {
  model: RegressorDocument;
  train: RegressionMetrics;
  validation?: RegressionMetrics;
}

/**
 * Fits the preprocessing and ridge regression (ridgeRegression.ts) on a parsed table: the same
 * features as the classifier, a numeric target. Deterministic: the same table, seed and l2 give
 * the same model bytes.
 */
export function trainRegressor(table: CsvTable, labelColumn: string, options: TrainOptions = {}): RegressorResult {
  const source = options.source ?? 'data';
  const seed = options.seed ?? 42;
  const fraction = options.validationFraction ?? 0.1;
  const log = options.log ?? (() => {});
  const labelIndex = table.columns.indexOf(labelColumn);
  if (labelIndex < 0) {
    throw new TrainingDataError(source, `no target column '${labelColumn}'; columns found: ${table.columns.join(', ')}`);
  }
  const featureColumns = table.columns.filter((_, j) => j !== labelIndex);
  if (featureColumns.length === 0)
    throw new TrainingDataError(source, `only the target column '${labelColumn}' is present; add feature columns`);
  const labelled = table.rows.filter((row) => !isMissing(row[labelIndex]));
  const y = labelled.map((row) => parseNumber(row[labelIndex]!));
  const bad = y.flatMap((v, i) => (v === undefined ? [i] : []));
  if (bad.length > 0) {
    const shown = bad
      .slice(0, 5)
      .map((i) => `data row ${table.rows.indexOf(labelled[i]!) + 1} (${JSON.stringify(labelled[i]![labelIndex])})`);
    throw new TrainingDataError(
      source,
      `${bad.length} rows have a target '${labelColumn}' that is not a finite number: ${shown.join(', ')}${bad.length > 5 ? ', …' : ''}; ` +
        'a regressor needs numbers (or train a classifier: task classification)',
    );
  }
  if (labelled.length < 3) throw new TrainingDataError(source, `${labelled.length} rows with a target; a regressor needs at least 3`);
  const cells = labelled.map((row) => row.filter((_, j) => j !== labelIndex));
  const order = shuffledIndices(labelled.length, createRng(seed));
  const take = Math.min(Math.round(labelled.length * fraction), labelled.length - 2);
  const held = new Set(order.slice(0, take));
  const trainRows = order.filter((i) => !held.has(i)).sort((a, b) => a - b);
  const validationRows = [...held].sort((a, b) => a - b);
  const pick = <T>(indices: number[], values: ArrayLike<T>): T[] => indices.map((i) => values[i]!);

  const features = fitFeatures(featureColumns, pick(trainRows, cells));
  const width = features.reduce((sum, f) => sum + encodedWidth(f), 0);
  log(
    `features: ${features.length} columns -> ${width} model inputs; rows: ${trainRows.length} training, ${validationRows.length} validation`,
  );
  const xTrain = encodeRows(features, pick(trainRows, cells));
  const yTrain = pick(trainRows, y as number[]);
  const fit = fitRidge(xTrain, width, yTrain, options.l2 ?? DEFAULT_L2);
  if (fit.l2 !== (options.l2 ?? DEFAULT_L2)) log(`inputs are collinear: used l2 ${fit.l2.toExponential(2)} instead of 0`);
  const train = regressionMetrics(yTrain, predictRidge(fit, xTrain, width));
  const validation =
    validationRows.length > 0
      ? regressionMetrics(pick(validationRows, y as number[]), predictRidge(fit, encodeRows(features, pick(validationRows, cells)), width))
      : undefined;
  const stored = (m: RegressionMetrics) => ({ rmse: m.rmse, mae: m.mae, r2: m.r2, ...(m.mape === undefined ? {} : { mape: m.mape }) });
  const model: RegressorDocument = {
    format: REGRESSOR_FORMAT,
    formatVersion: 1,
    labelColumn,
    features,
    inputs: encodedNames(features),
    intercept: fit.intercept,
    coefficients: fit.coefficients,
    training: {
      seed,
      l2: fit.l2,
      rows: table.rows.length,
      trainingRows: trainRows.length,
      validationRows: validationRows.length,
      rowsWithoutLabel: table.rows.length - labelled.length,
      metrics: { train: stored(train), validation: validation ? stored(validation) : null },
    },
  };
  return { model, train, ...(validation ? { validation } : {}) };
}
