import { benchFit, type BenchFitResult } from '../examples/tabular/benchFit';
import { generateDataset } from '../examples/tabular/generate';
import { encodeLabels } from '../examples/tabular/lib/encodeLabels';
import { encodeRows } from '../examples/tabular/lib/encodeRows';
import { encodedWidth } from '../examples/tabular/lib/featureSpec';
import { fitFeatures } from '../examples/tabular/lib/fitFeatures';
import { createRng, shuffledIndices } from '../examples/tabular/lib/random';
import { median } from './stats';

export interface TrainerBench {
  rows: number;
  features: number;
  runs: BenchFitResult[];
  medianFitSeconds: number;
  medianAuc: number;
  /** Median fit time divided by the L-BFGS iterations of that run. */
  msPerIteration: number;
  /** One plain loss+gradient pass over the already encoded training matrix (median of 3 before each fit). */
  gradientPassMs: number;
  /** Encoded model inputs (one-hot widens the 20 columns). */
  width: number;
}

export interface TrainerBenchOptions {
  /** @default 100_000 */
  rows?: number;
  /** @default 20 */
  features?: number;
  /** @default 3 */
  repetitions?: number;
  /** @default 42 */
  seed?: number;
}

/** The example trainer's fit time and held-out AUC, and the cost of touching its data once. */
export function benchTrainer(options: TrainerBenchOptions = {}): TrainerBench {
  const rows = options.rows ?? 100_000;
  const features = options.features ?? 20;
  const seed = options.seed ?? 42;
  const { x, y, width } = encodedTrainingMatrix(rows, features, seed);
  const runs: BenchFitResult[] = [];
  const passes: number[] = [];
  // Baseline passes alternate with the fits, so a burst of load elsewhere on the shared
  // machine hits both sides of the ratio rather than one.
  for (let i = 0; i < (options.repetitions ?? 3); i++) {
    for (let k = 0; k < 3; k++) passes.push(timeGradientPass(x, width, y));
    runs.push(benchFit({ rows, features, seed }));
    process.stdout.write(
      `  fit ${i + 1}: ${runs.at(-1)!.fitSeconds.toFixed(2)} s, ${runs.at(-1)!.iterations} iterations, AUC ${runs.at(-1)!.auc.toFixed(4)}\n`,
    );
  }
  const byTime = [...runs].sort((a, b) => a.fitSeconds - b.fitSeconds);
  const middle = byTime[Math.floor(byTime.length / 2)]!;
  return {
    rows,
    features,
    runs,
    medianFitSeconds: median(runs.map((r) => r.fitSeconds)),
    medianAuc: median(runs.map((r) => r.auc)),
    msPerIteration: (middle.fitSeconds * 1000) / middle.iterations,
    gradientPassMs: median(passes),
    width,
  };
}

function timeGradientPass(x: Float64Array, width: number, y: Int32Array): number {
  const started = performance.now();
  const loss = lossAndGradient(x, width, y);
  const elapsed = performance.now() - started;
  if (!Number.isFinite(loss)) throw new Error(`bench: the baseline loss pass gave ${loss}`);
  return elapsed;
}

/** The same 80 % training rows benchFit fits on, preprocessed as the trainer does (untimed). */
function encodedTrainingMatrix(rows: number, features: number, seed: number): { x: Float64Array; y: Int32Array; width: number } {
  const dataset = generateDataset({ rows, features, seed, classes: 2 });
  const cells = dataset.rows.map((row) => row.map((cell) => (cell === null ? '' : String(cell))));
  const order = shuffledIndices(cells.length, createRng(seed));
  const train = order.slice(0, Math.round(cells.length * 0.8)).map((i) => cells[i]!);
  const labelIndex = dataset.columns.length - 1;
  const featureCells = train.map((row) => row.slice(0, labelIndex));
  const specs = fitFeatures(dataset.columns.slice(0, labelIndex), featureCells);
  return {
    x: encodeRows(specs, featureCells),
    y: encodeLabels(train.map((row) => row[labelIndex]!)).y,
    width: specs.reduce((sum, f) => sum + encodedWidth(f), 0),
  };
}

/**
 * A deliberately plain binary log-loss and gradient, once over the matrix: the floor any
 * gradient-based fit pays per function evaluation, so fit time / this = "passes' worth".
 */
function lossAndGradient(x: Float64Array, width: number, y: Int32Array): number {
  const weights = new Float64Array(width + 1).fill(0.01);
  const gradient = new Float64Array(width + 1);
  let loss = 0;
  for (let i = 0; i < y.length; i++) {
    const base = i * width;
    let z = weights[width]!;
    for (let j = 0; j < width; j++) z += weights[j]! * x[base + j]!;
    const p = 1 / (1 + Math.exp(-z));
    loss += y[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
    const error = p - y[i]!;
    for (let j = 0; j < width; j++) gradient[j] = gradient[j]! + error * x[base + j]!;
    gradient[width] = gradient[width]! + error;
  }
  return loss / y.length;
}
