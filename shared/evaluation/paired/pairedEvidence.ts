import { isRegressionMetric, type MetricName } from '../../config/schema';
import { sortedClasses } from '../../scoring/scoringAnswer';
import { LOG_LOSS_EPSILON } from '../metrics';
import { nextTurn, type PairedBootstrapOptions } from './bootstrap';
import { bootstrapTest } from './bootstrapTest';
import { delongPaired } from './delong';
import { mcnemarEvidence, normalEvidence, withPValueFloor, type PairedEvidence } from './evidence';
import { PairedF1, rankScores, weightedMacroAuc, weightedMean } from './weightedMetrics';

/** One model's answers for every compared row, in row order (see AnswerMetrics.rows). */
export interface ModelRows {
  /** The predicted label per row (the most probable class when probabilities were given). */
  labels: readonly string[];
  /** Per row, one probability per class of `classes`. */
  probabilities?: readonly (readonly number[])[];
  classes?: readonly string[];
}

/** The rows both models were scored on: whatever the evaluation chose to compare. */
export interface PairedRows {
  truth: readonly string[];
  candidate: ModelRows;
  champion: ModelRows;
}

/** The rows cannot support the paired test of this metric (e.g. a model gave no probabilities). */
export class UnpairableError extends Error {
  constructor(
    readonly metric: MetricName,
    readonly why: string,
  ) {
    super(`cannot compare ${metric} row by row: ${why}`);
    this.name = 'UnpairableError';
  }
}

/**
 * The paired test the metric calls for: DeLong for binary AUC; McNemar for accuracy; a seeded
 * paired bootstrap for f1, log loss and multiclass AUC (macro one-vs-rest has no DeLong
 * variance we trust: the per-class AUCs share rows in different roles, so we resample rows).
 */
export async function pairedEvidence(metric: MetricName, rows: PairedRows, options: PairedBootstrapOptions = {}): Promise<PairedEvidence> {
  const evidence = await testFor(metric, rows, options);
  if (!Number.isFinite(evidence.improvement) || !Number.isFinite(evidence.standardError)) {
    throw new UnpairableError(metric, `the paired ${evidence.test} gave no finite difference on these rows`);
  }
  return evidence;
}

async function testFor(metric: MetricName, rows: PairedRows, options: PairedBootstrapOptions): Promise<PairedEvidence> {
  const n = rows.truth.length;
  if (rows.candidate.labels.length !== n || rows.champion.labels.length !== n) {
    throw new UnpairableError(
      metric,
      `${n} rows, but ${rows.candidate.labels.length} candidate and ${rows.champion.labels.length} champion predictions`,
    );
  }
  if (n === 0) throw new UnpairableError(metric, 'no rows to compare');
  if (isRegressionMetric(metric)) throw new UnpairableError(metric, 'it is a regression metric (regressionEvidence compares regressors)');
  if (metric === 'accuracy') {
    let b = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const candidateRight = rows.candidate.labels[i] === rows.truth[i];
      const championRight = rows.champion.labels[i] === rows.truth[i];
      if (candidateRight && !championRight) b++;
      else if (championRight && !candidateRight) c++;
    }
    return mcnemarEvidence(n, b, c);
  }
  if (metric === 'f1') return f1Evidence(rows, options);
  const candidate = probabilitiesOf(metric, 'candidate', rows.candidate, n);
  const champion = probabilitiesOf(metric, 'champion', rows.champion, n);
  if (metric === 'log_loss') {
    const diff = Float64Array.from(rows.truth, (t, i) => rowLoss(champion, t, i) - rowLoss(candidate, t, i));
    return bootstrapTest(n, weightedMean(diff, new Uint32Array(n).fill(1)), (counts) => weightedMean(diff, counts), options, { passes: 1 });
  }
  // AUC on the candidate's classes; the champion's columns are matched by class name.
  const classes = candidate.classes;
  const column = (model: { probabilities: readonly (readonly number[])[]; classes: readonly string[] }, cls: string) => {
    const k = model.classes.indexOf(cls);
    return Float64Array.from(model.probabilities, (row) => (k < 0 ? 0 : row[k]!));
  };
  if (classes.length === 2) {
    const isPositive = rows.truth.map((t) => t === classes[1]);
    const d = delongPaired(isPositive, column(candidate, classes[1]!), column(champion, classes[1]!));
    if (!Number.isFinite(d.difference)) throw new UnpairableError(metric, 'the rows hold only one of the two classes');
    const evidence = normalEvidence('DeLong', n, d.difference, Math.sqrt(d.variance));
    if (d.variance > 0 || d.difference === 0) return evidence;
    // A variance of 0: each model ranks the rows perfectly or not at all, and the normal test
    // would claim certainty ("p < 0.0001" on 2 + 2 rows). A random ranking separates the
    // classes perfectly with probability 1 / C(n, positives) (the exact Mann-Whitney tail), so
    // no p-value goes below that: one time in six on 2 + 2 rows, 1 in 924 on 6 + 6.
    return withPValueFloor(evidence, 1 / binomialCoefficient(n, d.positives), [-1, 1]);
  }
  // Ranking 100,000 scores takes tens of milliseconds: the loop gets turns within and after each column.
  const perClass = async (model: typeof candidate) => {
    const columns = [];
    for (const cls of classes) {
      const turn = options.yieldToLoop ?? nextTurn;
      columns.push(
        await rankScores(
          column(model, cls),
          rows.truth.map((t) => (t === cls ? 1 : 0)),
          turn,
        ),
      );
      await turn();
    }
    return columns;
  };
  const a = await perClass(candidate);
  const b = await perClass(champion);
  const improvement = (counts: Uint32Array) => weightedMacroAuc(a, counts) - weightedMacroAuc(b, counts);
  return bootstrapTest(n, improvement(new Uint32Array(n).fill(1)), improvement, options, { passes: 2 * classes.length });
}

function probabilitiesOf(metric: MetricName, who: string, model: ModelRows, n: number) {
  if (!model.probabilities || model.probabilities.length !== n || !model.classes) {
    throw new UnpairableError(metric, `the ${who} gave no class probabilities for every row`);
  }
  return { probabilities: model.probabilities, classes: model.classes };
}

function rowLoss(model: { probabilities: readonly (readonly number[])[]; classes: readonly string[] }, truth: string, i: number): number {
  const k = model.classes.indexOf(truth);
  const p = k < 0 ? 0 : model.probabilities[i]![k]!;
  return -Math.log(Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, p)));
}

/** Binary F1 of the positive class (the candidate's second class, as its metric), else macro F1. */
async function f1Evidence(rows: PairedRows, options: PairedBootstrapOptions): Promise<PairedEvidence> {
  // One Map lookup per label, in arrival order, then renumbered in sortedClasses' order: on
  // 100,000 rows each pass takes tens of milliseconds, so the loop gets a turn after each.
  const turn = options.yieldToLoop ?? nextTurn;
  const ids = new Map<string, number>();
  const idsOf = (labels: readonly string[]) =>
    Int32Array.from(labels, (l) => {
      let id = ids.get(l);
      if (id === undefined) ids.set(l, (id = ids.size));
      return id;
    });
  const truth = idsOf(rows.truth);
  await turn();
  const a = idsOf(rows.candidate.labels);
  await turn();
  const b = idsOf(rows.champion.labels);
  const names = [...ids.keys()];
  const all = sortedClasses(names);
  const sortedId = Int32Array.from(names, (c) => all.indexOf(c));
  for (const column of [truth, a, b])
    column.forEach((id, i) => {
      column[i] = sortedId[id]!;
    });
  const seen = new Uint8Array(all.length);
  for (const column of [truth, a]) for (const k of column) seen[k] = 1;
  const own = rows.candidate.classes ?? sortedClasses(all.filter((_, k) => seen[k]));
  const positive = own.length === 2 ? all.indexOf(own[1]!) : undefined;
  const f1 = new PairedF1(truth, a, b, all.length, positive);
  const n = truth.length;
  return bootstrapTest(n, f1.improvement(f1.allRows()), (counts) => f1.improvement(counts), options, {
    passes: 0,
    cellOf: f1.cellOf,
    cells: f1.cells,
  });
}

/** C(n, k) as a float (Infinity when it overflows, so its reciprocal is 0). */
function binomialCoefficient(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) c = (c * (n - Math.min(k, n - k) + i)) / i;
  return c;
}
