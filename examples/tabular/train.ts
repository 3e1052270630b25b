/**
 * The example's training job: reads a CSV, fits regularised logistic regression, writes
 * `<model-dir>/model.json` and reports metrics.
 *
 *   node --import tsx train.ts --data data.csv --label label --seed 42 --model-dir out/
 *
 * Exit codes: 0 success, 2 unusable data or arguments (message on stderr), 1 anything else.
 * When AUTOPILOT_METRICS_FILE is set, one JSON line `{"name": ..., "value": ...}` per metric
 * is appended to it (train_auc, validation_auc, iterations, fit_seconds, ...).
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { ClassificationMetrics } from '../../shared/evaluation/metrics';
import { readCsvTable } from './lib/readCsvTable';
import { serializeModel } from './lib/modelDocument';
import { TrainingDataError } from './lib/TrainingDataError';
import { trainModel, type TrainOptions } from './lib/trainModel';
import { DEFAULT_L2 } from './lib/logisticRegression';

export { trainModel, type TrainOptions, type TrainResult } from './lib/trainModel';

export interface TrainJobOptions extends TrainOptions {
  /** Path of the CSV. */
  data: string;
  label: string;
  modelDir: string;
  /** File that receives metric lines. @default process.env.AUTOPILOT_METRICS_FILE */
  metricsFile?: string;
}

/** Runs the job end to end; throws TrainingDataError for unusable data. Returns the model path. */
export function runTrainingJob(options: TrainJobOptions): string {
  const log = options.log ?? (() => {});
  const started = process.hrtime.bigint();
  let text: string;
  try {
    text = readFileSync(options.data, 'utf8');
  } catch (error) {
    throw new TrainingDataError(options.data, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const table = readCsvTable(text, options.data);
  log(`read ${table.rows.length} rows x ${table.columns.length} columns from ${options.data}`);
  const fitStarted = process.hrtime.bigint();
  const result = trainModel(table, options.label, { ...options, source: options.data });
  const fitSeconds = Number(process.hrtime.bigint() - fitStarted) / 1e9;

  mkdirSync(options.modelDir, { recursive: true });
  const modelPath = join(options.modelDir, 'model.json');
  // Write then rename, so a reader never sees half a model.
  writeFileSync(`${modelPath}.tmp`, serializeModel(result.model));
  renameSync(`${modelPath}.tmp`, modelPath);

  const metrics: [string, number][] = [
    ...metricLines('train', result.train),
    ...(result.validation ? metricLines('validation', result.validation) : []),
    ['training_rows', result.model.training.trainingRows],
    ['iterations', result.model.training.iterations],
    ['fit_seconds', Math.round(fitSeconds * 1000) / 1000],
  ];
  log(metrics.map(([name, value]) => `${name}=${Number.isInteger(value) ? value : value.toFixed(4)}`).join(' '));
  const metricsFile = options.metricsFile ?? process.env['AUTOPILOT_METRICS_FILE'];
  if (metricsFile) {
    appendFileSync(metricsFile, metrics.map(([name, value]) => `${JSON.stringify({ name, value })}\n`).join(''));
  }
  log(`wrote ${modelPath} in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(2)} s`);
  return modelPath;
}

/** Metric lines for one split; undefined values (AUC with one class present) are left out. */
function metricLines(prefix: string, metrics: ClassificationMetrics): [string, number][] {
  return Object.entries(metrics)
    .filter(([, value]) => Number.isFinite(value))
    .map(([name, value]) => [`${prefix}_${name}`, value]);
}

const integer = (text: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new InvalidArgumentError('expected an integer');
  return value;
};
const decimal = (min: number, max: number) => (text: string): number => {
  const value = Number(text);
  if (!(value >= min && value <= max)) throw new InvalidArgumentError(`expected a number within [${min}, ${max}]`);
  return value;
};

export function main(argv: readonly string[] = process.argv): void {
  const program = new Command()
    .name('train')
    .description('Fit L2-regularised logistic regression on a CSV and write model.json')
    .requiredOption('--data <csv>', 'training data (CSV with a header row)')
    .option('--label <column>', 'label column', 'label')
    .option('--seed <n>', 'seed of the validation split', integer, 42)
    .requiredOption('--model-dir <dir>', 'folder that receives model.json')
    .option('--l2 <lambda>', 'L2 penalty on the mean log loss', decimal(0, 1e6), DEFAULT_L2)
    .option('--max-iter <n>', 'L-BFGS iteration limit', integer, 500)
    .option('--validation-fraction <f>', 'share held out to report validation metrics', decimal(0, 0.9), 0.1)
    .exitOverride();
  try {
    program.parse(argv);
  } catch (error) {
    // Commander already printed the problem; usage errors are "bad input" like bad data.
    process.exitCode = error instanceof CommanderError && error.exitCode === 0 ? 0 : 2;
    return;
  }
  const opts = program.opts<{ data: string; label: string; seed: number; modelDir: string; l2: number; maxIter: number; validationFraction: number }>();
  try {
    runTrainingJob({
      data: opts.data,
      label: opts.label,
      seed: opts.seed,
      modelDir: opts.modelDir,
      l2: opts.l2,
      maxIterations: opts.maxIter,
      validationFraction: opts.validationFraction,
      log: (line) => console.log(line),
    });
  } catch (error) {
    if (error instanceof TrainingDataError) {
      console.error(`error: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

if (require.main === module) main();
