/**
 * Classification metrics the trainer reports and the evaluation gate compares. Pure
 * functions over plain arrays; definitions follow scikit-learn so numbers can be checked
 * against it. Class labels are compared by their string form, because a label read from a
 * CSV ("1") and one returned by a scorer (1) name the same class.
 */

export interface ClassificationMetrics {
  /** Binary ROC AUC for two classes, macro one-vs-rest AUC otherwise; NaN when undefined. */
  auc: number;
  accuracy: number;
  /** F1 of the positive (second) class for two classes, macro F1 otherwise. */
  f1: number;
  log_loss: number;
}

/** Probabilities are clipped to [eps, 1 - eps] so one confident mistake cannot make log loss infinite. */
export const LOG_LOSS_EPSILON = 1e-15;

const sameLabel = (a: unknown, b: unknown): boolean => String(a) === String(b);

/** Share of positions where the predicted label equals the true one. */
export function accuracy(yTrue: readonly unknown[], yPred: readonly unknown[]): number {
  assertSameLength(yTrue.length, yPred.length, 'yPred');
  if (yTrue.length === 0) return Number.NaN;
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (sameLabel(yTrue[i], yPred[i])) hits++;
  return hits / yTrue.length;
}

/**
 * Binary ROC AUC from ranks (Mann-Whitney U): tied scores share their average rank, which
 * counts a tied positive/negative pair as half right. `isPositive[i]` says whether row i is
 * of the positive class. NaN when one of the two classes is absent (AUC is undefined).
 */
export function rocAuc(isPositive: readonly (boolean | number)[], scores: readonly number[]): number {
  assertSameLength(isPositive.length, scores.length, 'scores');
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const averageRank = (start + end + 2) / 2; // ranks are 1-based
    for (let k = start; k <= end; k++) {
      if (isPositive[order[k]!]) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Macro one-vs-rest AUC: each class's probability column against "is this class", averaged
 * over the classes whose AUC is defined (present and not alone in yTrue). `yTrue` holds class
 * indices; an index outside the columns counts as a negative for every class.
 */
export function macroAucOvR(yTrue: readonly number[], probabilities: readonly (readonly number[])[]): number {
  assertSameLength(yTrue.length, probabilities.length, 'probabilities');
  const classes = probabilities[0]?.length ?? 0;
  let sum = 0;
  let defined = 0;
  for (let k = 0; k < classes; k++) {
    const auc = rocAuc(
      yTrue.map((y) => y === k),
      probabilities.map((row) => row[k] ?? 0),
    );
    if (!Number.isNaN(auc)) {
      sum += auc;
      defined++;
    }
  }
  return defined === 0 ? Number.NaN : sum / defined;
}

/** Mean negative log probability of the true class (class indices in `yTrue`), clipped. */
export function logLoss(
  yTrue: readonly number[],
  probabilities: readonly (readonly number[])[],
  epsilon: number = LOG_LOSS_EPSILON,
): number {
  assertSameLength(yTrue.length, probabilities.length, 'probabilities');
  if (yTrue.length === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const p = probabilities[i]![yTrue[i]!] ?? 0;
    total -= Math.log(Math.min(1 - epsilon, Math.max(epsilon, p)));
  }
  return total / yTrue.length;
}

/** F1 of one class; 0 when it is never predicted or never true (scikit-learn's zero_division=0). */
export function f1ForClass(yTrue: readonly unknown[], yPred: readonly unknown[], label: unknown): number {
  assertSameLength(yTrue.length, yPred.length, 'yPred');
  let truePositive = 0;
  let falsePositive = 0;
  let falseNegative = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const actual = sameLabel(yTrue[i], label);
    const predicted = sameLabel(yPred[i], label);
    if (actual && predicted) truePositive++;
    else if (predicted) falsePositive++;
    else if (actual) falseNegative++;
  }
  const denominator = 2 * truePositive + falsePositive + falseNegative;
  return denominator === 0 ? 0 : (2 * truePositive) / denominator;
}

/** Unweighted mean of per-class F1 over the labels that occur in yTrue or yPred. */
export function macroF1(yTrue: readonly unknown[], yPred: readonly unknown[]): number {
  const labels = new Map<string, unknown>();
  for (const y of [...yTrue, ...yPred]) labels.set(String(y), y);
  if (labels.size === 0) return Number.NaN;
  let sum = 0;
  for (const label of labels.values()) sum += f1ForClass(yTrue, yPred, label);
  return sum / labels.size;
}

/**
 * All gate metrics from a scorer's output: `probabilities[i][k]` is the probability that row i
 * is `classes[k]`. Predictions are the most probable class (first on ties). True labels the
 * model never saw count as wrong and get the clipped minimum probability.
 */
export function computeMetrics(
  yTrue: readonly unknown[],
  probabilities: readonly (readonly number[])[],
  classes: readonly unknown[],
): ClassificationMetrics {
  assertSameLength(yTrue.length, probabilities.length, 'probabilities');
  probabilities.forEach((row, i) => {
    if (row.length !== classes.length) {
      throw new RangeError(`probabilities[${i}] has ${row.length} values but there are ${classes.length} classes`);
    }
  });
  const indexOf = new Map(classes.map((c, k) => [String(c), k]));
  const trueIndex = yTrue.map((y) => indexOf.get(String(y)) ?? -1);
  const predicted = probabilities.map((row) => classes[argmax(row)]);
  const binary = classes.length === 2;
  return {
    auc: binary
      ? rocAuc(
          trueIndex.map((k) => k === 1),
          probabilities.map((row) => row[1]!),
        )
      : macroAucOvR(trueIndex, probabilities),
    accuracy: accuracy(yTrue, predicted),
    f1: binary ? f1ForClass(yTrue, predicted, classes[1]) : macroF1(yTrue, predicted),
    log_loss: logLoss(trueIndex, probabilities),
  };
}

/** Index of the largest value; the first one on ties. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}

function assertSameLength(expected: number, actual: number, what: string): void {
  if (expected !== actual) throw new RangeError(`${what} has ${actual} entries but yTrue has ${expected}`);
}

/** Metrics split into the finite ones (what a record may store) and why each other one is absent. */
export interface CheckedMetrics {
  values: Record<string, number>;
  /** Metric name -> one sentence saying why it could not be computed. */
  missing: Record<string, string>;
}

/**
 * Keeps the finite metrics. NaN or Infinity must never reach a release record: JSON stores
 * them as null, and a record that no longer matches its schema cannot be read back.
 */
export function checkMetrics(
  metrics: Readonly<Record<string, number>>,
  yTrue: readonly unknown[],
  /** Metrics the caller needs (the gate's): one that is absent altogether gets a reason too. */
  expected: readonly string[] = [],
  /** Why the scorer's answers had no usable class probabilities, when they had none. */
  withoutProbabilities?: string,
): CheckedMetrics {
  const values: Record<string, number> = {};
  const missing: Record<string, string> = {};
  for (const [name, value] of Object.entries(metrics)) {
    if (Number.isFinite(value)) values[name] = value;
    else missing[name] = whyNotComputed(name, value, yTrue);
  }
  for (const name of expected) {
    if (name in metrics) continue;
    if (yTrue.length === 0) missing[name] = 'the holdout has no rows';
    else if (name === 'mape') missing[name] = 'a held-out target is 0, where it is undefined (gate on rmse, mae or r2)';
    else if (withoutProbabilities)
      missing[name] =
        `it needs class probabilities and ${withoutProbabilities} (gate on accuracy or f1, or return probabilities: docs/model-format.md)`;
    else missing[name] = 'the scorer returned no class probabilities for it';
  }
  return { values, missing };
}

/** The likeliest cause of a metric that is not a finite number, from the true labels alone. */
export function whyNotComputed(name: string, value: number, yTrue: readonly unknown[]): string {
  if (yTrue.length === 0) return 'the holdout has no rows';
  if (name === 'auc') {
    const classes = new Set(yTrue.map(String)).size;
    return classes < 2
      ? `every holdout row has the same class, and AUC needs two`
      : `fewer than two of the holdout's classes are classes the model knows`;
  }
  if (name === 'log_loss') return `the scorer's probabilities gave ${value}; are they numbers between 0 and 1?`;
  return `it came out as ${value} on ${yTrue.length} holdout rows`;
}
