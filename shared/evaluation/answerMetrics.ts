import { sortedClasses, type ScoringAnswer } from '../scoring/scoringAnswer';
import { accuracy, argmax, computeMetrics, f1ForClass, macroF1 } from './metrics';
import type { ModelRows } from './paired/pairedEvidence';

export interface AnswerMetrics {
  metrics: Record<string, number>;
  /** Every prediction, in row order (the baseline profile takes them). */
  predictions: unknown[];
  /** Why the probability metrics (auc, log_loss) are absent, when they are. */
  withoutProbabilities?: string;
  /** The answers per row as the metrics read them, for the gate's paired tests. */
  rows: ModelRows;
}

/**
 * Gate metrics from a scorer's answers to consecutive batches of the holdout. With class
 * probabilities every metric is computed (predictions are their argmax, as before); with
 * labels only, accuracy and f1 (binary: the positive class is the last in sorted order, as
 * scikit-learn's classes_[1]; more classes: macro f1).
 */
export function metricsFromAnswers(truth: readonly string[], answers: readonly ScoringAnswer[]): AnswerMetrics {
  const predictions = answers.flatMap((a) => a.predictions);
  if (predictions.length !== truth.length) {
    throw new Error(`the scorer returned ${predictions.length} predictions for ${truth.length} rows`);
  }
  const probabilities = answers.every((a) => a.probabilities) ? answers.flatMap((a) => a.probabilities!) : [];
  let why: string | undefined;
  if (probabilities.length === truth.length && truth.length > 0) {
    const width = probabilities[0]!.length;
    const classes = answers[0]!.classes?.map(String) ?? sortedClasses([...truth, ...predictions]);
    if (classes.length === width) {
      const rows = { labels: probabilities.map((p) => classes[argmax(p)]!), probabilities, classes };
      return { metrics: { ...computeMetrics(truth, probabilities, classes) }, predictions, rows };
    }
    why = `the scorer gave ${width} probabilities per row without naming its classes, and the holdout and predictions have ${classes.length} (${classes.slice(0, 5).join(', ')}); return 'classes' with them`;
  } else {
    why =
      probabilities.length === 0
        ? 'the scorer returned labels only, no class probabilities'
        : `the scorer returned probabilities for ${probabilities.length} of ${truth.length} rows`;
  }
  const labels = predictions.map(String);
  const classes = sortedClasses([...truth, ...labels]);
  const f1 = classes.length === 2 ? f1ForClass(truth, labels, classes[1]) : macroF1(truth, labels);
  return { metrics: { accuracy: accuracy(truth, labels), f1 }, predictions, withoutProbabilities: why, rows: { labels } };
}
