/**
 * Measures the trainer on generated data: fit time and held-out AUC. `npm run bench` calls
 * `benchFit({ rows: 100_000, features: 20, seed: 42 })`; run this file to print one result:
 *
 *   node --import tsx examples/tabular/benchFit.ts [rows] [features] [seed]
 */
import { computeMetrics } from '../../shared/evaluation/metrics';
import { generateDataset } from './lib/generateDataset';
import { predictRows } from './lib/predictRows';
import { createRng, shuffledIndices } from './lib/random';
import { trainModel } from './lib/trainModel';

export interface BenchFitOptions {
  rows: number;
  /** Feature columns in total (see generate.ts). */
  features: number;
  seed: number;
  /** @default 2 */
  classes?: number;
}

export interface BenchFitResult {
  /** Preprocessing plus L-BFGS fit on the 80 % training part, in seconds. */
  fitSeconds: number;
  /** AUC on the 20 % held out (macro one-vs-rest for more than 2 classes). */
  auc: number;
  accuracy: number;
  iterations: number;
  rows: number;
  features: number;
}

export function benchFit(options: BenchFitOptions): BenchFitResult {
  const dataset = generateDataset({ rows: options.rows, features: options.features, seed: options.seed, classes: options.classes ?? 2 });
  // Cells as a CSV reader would give them, so the fit includes type inference as in a real job.
  const cells = dataset.rows.map((row) => row.map((cell) => (cell === null ? '' : String(cell))));
  const order = shuffledIndices(cells.length, createRng(options.seed));
  const cut = Math.round(cells.length * 0.8);
  const train = order.slice(0, cut).map((i) => cells[i]!);
  const test = order.slice(cut).map((i) => cells[i]!);
  const labelIndex = dataset.columns.length - 1;

  const started = process.hrtime.bigint();
  const { model } = trainModel({ columns: dataset.columns, rows: train }, 'label', { seed: options.seed, validationFraction: 0 });
  const fitSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const scored = predictRows(
    model,
    test.map((row) => row.slice(0, labelIndex)),
  );
  const metrics = computeMetrics(
    test.map((row) => row[labelIndex]),
    scored.probabilities,
    scored.classes,
  );
  return {
    fitSeconds,
    auc: metrics.auc,
    accuracy: metrics.accuracy,
    iterations: model.training.iterations,
    rows: options.rows,
    features: options.features,
  };
}

if (require.main === module) {
  const [rows = '100000', features = '20', seed = '42', classes = '2'] = process.argv.slice(2);
  console.log(JSON.stringify(benchFit({ rows: Number(rows), features: Number(features), seed: Number(seed), classes: Number(classes) })));
}
