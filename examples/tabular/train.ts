/**
 * The example's training job: reads a CSV, fits regularised logistic regression (or, with
 * `--task regression`, ridge regression on a numeric target), writes `<model-dir>/model.json`
 * and reports metrics.
 *
 *   node --import tsx train.ts --data data.csv --label label --seed 42 --model-dir out/ [--task regression]
 *
 * Exit codes: 0 success, 2 unusable data or arguments (message on stderr), 3 the model was
 * written but its metrics reached none of the sinks that were configured (below), 1 anything else.
 *
 * Metrics (train_auc, validation_auc, iterations, fit_seconds, ...; train_rmse, validation_r2, ...
 * for a regressor) go to every sink the
 * environment configures:
 * - AUTOPILOT_METRICS_FILE (the local backend): one JSON line `{"name": ..., "value": ...}` each;
 * - MLflow, when MLFLOW_TRACKING_URI is set (an Azure ML job): into the run MLFLOW_RUN_ID over
 *   MLflow's REST API (mlflowLog.ts), where Azure ML and the autopilot's MlflowMetrics read them.
 * A sink that fails is a warning on stderr; when every configured sink failed, the job fails
 * (exit 3) rather than completing with metrics nobody will see.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readCsvTable } from './lib/readCsvTable';
import { serializeModel } from './lib/modelDocument';
import { TrainingDataError } from './lib/TrainingDataError';
import { trainModel, type TrainOptions } from './lib/trainModel';
import { trainRegressor } from './lib/trainRegressor';
import { DEFAULT_L2 } from './lib/logisticRegression';
import { logMetricsToMlflow, mlflowTargetFromEnv, type LogMetricsOptions } from './mlflowLog';

export { trainModel, type TrainOptions, type TrainResult } from './lib/trainModel';

export interface TrainJobOptions extends TrainOptions {
  /** Path of the CSV. */
  data: string;
  label: string;
  modelDir: string;
  /** @default classification */
  task?: 'classification' | 'regression';
  /** File that receives metric lines. @default process.env.AUTOPILOT_METRICS_FILE */
  metricsFile?: string;
  /** Environment that configures MLflow (MLFLOW_TRACKING_URI, MLFLOW_RUN_ID, MLFLOW_TRACKING_TOKEN). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** MLflow request settings (tests shorten the retries). */
  mlflow?: LogMetricsOptions;
  /** Where a sink's failure is reported. @default console.error */
  warn?: (line: string) => void;
}

/** The model was written, but its metrics reached none of the configured sinks. */
export class MetricsNotRecordedError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the model was written but its metrics reached no sink: ${problems.join('; ')}`);
    this.name = 'MetricsNotRecordedError';
  }
}

/**
 * Runs the job end to end; throws TrainingDataError for unusable data and MetricsNotRecordedError
 * when every configured metrics sink failed. Returns the model path.
 */
export async function runTrainingJob(options: TrainJobOptions): Promise<string> {
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
  const trainOptions = { ...options, source: options.data };
  const result =
    options.task === 'regression' ? trainRegressor(table, options.label, trainOptions) : trainModel(table, options.label, trainOptions);
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
    ...('iterations' in result.model.training ? [['iterations', result.model.training.iterations] as [string, number]] : []),
    ['fit_seconds', Math.round(fitSeconds * 1000) / 1000],
  ];
  log(metrics.map(([name, value]) => `${name}=${Number.isInteger(value) ? value : value.toFixed(4)}`).join(' '));
  log(`wrote ${modelPath} in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(2)} s`);
  await reportMetrics(metrics, options);
  return modelPath;
}

/** Sends the metrics to every configured sink: each failure is a warning, all of them an error. */
async function reportMetrics(metrics: readonly [string, number][], options: TrainJobOptions): Promise<void> {
  const warn = options.warn ?? ((line: string) => console.error(line));
  const env = options.env ?? process.env;
  const delivered: string[] = [];
  const problems: string[] = [];
  const metricsFile = options.metricsFile ?? env['AUTOPILOT_METRICS_FILE'];
  if (metricsFile) {
    try {
      appendFileSync(metricsFile, metrics.map(([name, value]) => `${JSON.stringify({ name, value })}\n`).join(''));
      delivered.push(metricsFile);
    } catch (error) {
      problems.push(`cannot append metrics to AUTOPILOT_METRICS_FILE ${metricsFile}: ${(error as Error).message}`);
    }
  }
  const mlflow = mlflowTargetFromEnv(env);
  if (mlflow && 'problem' in mlflow) problems.push(`metrics not logged to MLflow: ${mlflow.problem}`);
  else if (mlflow) {
    try {
      await logMetricsToMlflow(mlflow, metrics, options.mlflow);
      delivered.push(`MLflow run ${mlflow.runId}`);
      (options.log ?? (() => {}))(`logged ${metrics.length} metrics to MLflow run ${mlflow.runId}`);
    } catch (error) {
      problems.push(`metrics not logged to MLflow: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0 && delivered.length === 0) throw new MetricsNotRecordedError(problems);
  for (const problem of problems) warn(`warning: ${problem}`);
}

/** Metric lines for one split; undefined values (AUC with one class present) are left out. */
function metricLines(prefix: string, metrics: object): [string, number][] {
  return Object.entries(metrics as Record<string, number>)
    .filter(([, value]) => Number.isFinite(value))
    .map(([name, value]) => [`${prefix}_${name}`, value]);
}

const integer = (text: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new InvalidArgumentError('expected an integer');
  return value;
};
const decimal =
  (min: number, max: number) =>
  (text: string): number => {
    const value = Number(text);
    if (!(value >= min && value <= max)) throw new InvalidArgumentError(`expected a number within [${min}, ${max}]`);
    return value;
  };

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const program = new Command()
    .name('train')
    .description('Fit L2-regularised logistic (or, with --task regression, linear) regression on a CSV and write model.json')
    .requiredOption('--data <csv>', 'training data (CSV with a header row)')
    .option('--label <column>', 'label (or target) column', 'label')
    .addOption(
      new Option('--task <task>', 'what the label is: classes, or a number to predict')
        .choices(['classification', 'regression'])
        .default('classification'),
    )
    .option('--seed <n>', 'seed of the validation split', integer, 42)
    .requiredOption('--model-dir <dir>', 'folder that receives model.json')
    .option('--l2 <lambda>', 'L2 penalty on the mean loss (log loss; half the squared error for regression)', decimal(0, 1e6), DEFAULT_L2)
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
  const opts = program.opts<{
    data: string;
    label: string;
    task: 'classification' | 'regression';
    seed: number;
    modelDir: string;
    l2: number;
    maxIter: number;
    validationFraction: number;
  }>();
  try {
    await runTrainingJob({
      data: opts.data,
      label: opts.label,
      task: opts.task,
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
    if (error instanceof MetricsNotRecordedError) {
      console.error(`error: ${error.message}`);
      process.exitCode = 3;
      return;
    }
    throw error;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
