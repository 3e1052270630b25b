/**
 * The example's scoring script, in Azure ML's contract: `init()` once when the deployment
 * starts, `run(rawData)` per request. See README.md for the request and response shapes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidValueError } from './lib/encodeRows';
import { ModelDocument } from './lib/modelDocument';
import { parseScoreRequest, ScoringRequestError } from './lib/parseScoreRequest';
import { predictRows, type NumericPrediction, type Prediction } from './lib/predictRows';

export { ScoringRequestError } from './lib/parseScoreRequest';
export type ScoreResult = Prediction | NumericPrediction;

const MODEL_FILE = 'model.json';
let loaded: ModelDocument | undefined;

/**
 * Finds model.json in `dir` or in exactly one of its subfolders (Azure ML mounts a registered
 * model as AZUREML_MODEL_DIR/<model folder>/...), and validates it.
 */
export function loadModel(dir: string): ModelDocument {
  const direct = join(dir, MODEL_FILE);
  let path = direct;
  if (!existsSync(direct)) {
    if (!existsSync(dir)) throw new Error(`model folder ${dir} does not exist`);
    const nested = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, MODEL_FILE)))
      .map((entry) => join(dir, entry.name, MODEL_FILE))
      .sort();
    if (nested.length !== 1) {
      throw new Error(
        nested.length === 0
          ? `no ${MODEL_FILE} in ${dir} or in its subfolders; is this the output of train.ts?`
          : `several models under ${dir} (${nested.join(', ')}); point AZUREML_MODEL_DIR at one`,
      );
    }
    path = nested[0]!;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const result = ModelDocument.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${path} is not a model written by train.ts: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

/** Scores one request against a loaded model; throws ScoringRequestError for bad requests. */
export function scoreRequest(model: ModelDocument, rawData: unknown): Prediction | NumericPrediction {
  const rows = parseScoreRequest(
    rawData,
    model.features.map((f) => f.name),
  );
  try {
    return predictRows(model, rows);
  } catch (error) {
    if (error instanceof InvalidValueError) throw new ScoringRequestError(error.message);
    throw error;
  }
}

/** Azure ML entry: loads the model from AZUREML_MODEL_DIR. */
export function init(): void {
  const dir = process.env['AZUREML_MODEL_DIR'];
  if (!dir) throw new Error('AZUREML_MODEL_DIR is not set; point it at the folder that holds model.json');
  loaded = loadModel(dir);
}

/** Azure ML entry: `rawData` is the request body (a JSON string, or an already parsed object). */
export function run(rawData: unknown): Prediction | NumericPrediction {
  if (!loaded) throw new Error('init() has not been called; the scoring server must call init() before run()');
  return scoreRequest(loaded, rawData);
}
