import type { ScoringAnswer } from '../scoring/scoringAnswer';
import { regressionMetrics } from './regressionMetrics';
import { targetValue } from '../data/targetChecks';

export interface RegressionAnswerMetrics {
  /** rmse, mae, r2 and, when no target is 0, mape. */
  metrics: Record<string, number>;
  /** Every prediction, in row order (the baseline profile takes them). */
  predictions: number[];
}

/** A regressor's answer that is not one finite number per row. */
export class NonNumericPredictionError extends Error {
  constructor(
    readonly row: number,
    readonly value: unknown,
  ) {
    super(
      `the scorer's prediction for held-out row ${row + 1} is ${JSON.stringify(value) ?? String(value)}, not a finite number; ` +
        'a regressor answers one number per row, as a list or {"predictions": [...]} (docs/model-format.md)',
    );
    this.name = 'NonNumericPredictionError';
  }
}

/**
 * Regression metrics from a scorer's answers to consecutive batches of the holdout. A prediction
 * must be a finite number (a numeric string such as "12.5" is read as one: scripts that
 * json.dumps numpy values sometimes send them so); anything else is refused, naming the row,
 * because a NaN would poison every metric.
 */
export function regressionMetricsFromAnswers(truth: readonly number[], answers: readonly ScoringAnswer[]): RegressionAnswerMetrics {
  const raw = answers.flatMap((a) => a.predictions);
  if (raw.length !== truth.length) throw new Error(`the scorer returned ${raw.length} predictions for ${truth.length} rows`);
  const predictions = raw.map((value, row) => {
    const number = predictionAsNumber(value);
    if (!Number.isFinite(number)) throw new NonNumericPredictionError(row, value);
    return number;
  });
  return { metrics: { ...regressionMetrics(truth, predictions) }, predictions };
}

/**
 * A regressor's prediction as a number: numbers, and numeric strings (json.dumps of numpy values)
 * read as the data gate reads targets, plain decimals only (Number() would take "0x1A" as 26);
 * NaN for anything else.
 */
export function predictionAsNumber(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' ? targetValue(value) : Number.NaN;
}
