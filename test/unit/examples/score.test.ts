import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '../../../examples/tabular/lib/generateDataset';
import { serializeModel } from '../../../examples/tabular/lib/modelDocument';
import { trainModel } from '../../../examples/tabular/lib/trainModel';
import type { Prediction } from '../../../examples/tabular/lib/predictRows';
import { init, loadModel, run as runScore, ScoringRequestError } from '../../../examples/tabular/score';

/** The classifier's answer (this file trains a classifier; regressors are tested in regressor.test.ts). */
const run = (body: unknown) => runScore(body) as Prediction;

const dataset = generateDataset({ rows: 400, seed: 3 });
const featureColumns = dataset.columns.slice(0, -1);
const model = trainModel(
  { columns: dataset.columns, rows: dataset.rows.map((r) => r.map((c) => (c === null ? '' : String(c)))) },
  'label',
).model;
const rowA = [5, 95.5, 477.5, 4, 30, 'month-to-month', 'electronic-check', 'north'];
const rowB = [70, 25, 1750, 0, 60, 'two-year', 'credit-card', 'west'];

let root: string;
const previousDir = process.env['AZUREML_MODEL_DIR'];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'score-test-'));
  // As Azure ML mounts a registered model: AZUREML_MODEL_DIR/<model folder>/model.json
  mkdirSync(join(root, 'model'));
  writeFileSync(join(root, 'model', 'model.json'), serializeModel(model));
  process.env['AZUREML_MODEL_DIR'] = root;
  init();
});

afterAll(() => {
  if (previousDir === undefined) delete process.env['AZUREML_MODEL_DIR'];
  else process.env['AZUREML_MODEL_DIR'] = previousDir;
  rmSync(root, { recursive: true, force: true });
});

function runError(body: unknown): ScoringRequestError {
  try {
    run(typeof body === 'string' ? body : JSON.stringify(body));
  } catch (error) {
    expect(error).toBeInstanceOf(ScoringRequestError);
    return error as ScoringRequestError;
  }
  throw new Error('run() accepted a bad request');
}

describe('score.ts', () => {
  it('refuses input_data columns named twice, naming them (the model would read one of the two silently)', () => {
    const error = runError({ input_data: { columns: [...featureColumns, featureColumns[0]], data: [[...rowA, rowA[0]]] } });
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain(`input_data.columns names '${featureColumns[0]}' more than once`);
  });

  it('answers an MLflow input_data request with a class and probabilities per row', () => {
    const response = run(JSON.stringify({ input_data: { columns: featureColumns, index: [0, 1], data: [rowA, rowB] } }));
    expect(response.classes).toEqual([0, 1]);
    expect(response.predictions).toEqual([1, 0]); // a new, expensive, unhappy monthly customer churns
    expect(response.probabilities).toHaveLength(2);
    for (const p of response.probabilities) expect(p[0]! + p[1]!).toBeCloseTo(1, 12);
  });

  it('gives the same answer for rows as arrays, rows as objects, and reordered input_data columns', () => {
    const split = run(JSON.stringify({ input_data: { columns: featureColumns, data: [rowA, rowB] } }));
    const arrays = run(JSON.stringify({ data: [rowA, rowB] }));
    const objects = run(JSON.stringify({ data: [rowA, rowB].map((row) => Object.fromEntries(featureColumns.map((c, j) => [c, row[j]]))) }));
    const reversed = run(
      JSON.stringify({ input_data: { columns: [...featureColumns].reverse(), data: [rowA, rowB].map((r) => [...r].reverse()) } }),
    );
    expect(arrays).toEqual(split);
    expect(objects).toEqual(split);
    expect(reversed).toEqual(split);
  });

  it('ignores extra columns and scores null, empty and unseen values as missing or __other__', () => {
    const response = run(
      JSON.stringify({
        input_data: {
          columns: [...featureColumns, 'customer_id'],
          data: [[null, '', 100, null, 40, 'lifetime', null, 'mars', 'c-17']],
        },
      }),
    );
    expect(response.predictions).toHaveLength(1);
    expect(response.probabilities[0]!.every(Number.isFinite)).toBe(true);
  });

  it('refuses a body that is not JSON', () => {
    expect(runError('tenure=5').message).toMatch(/^the request body is not JSON/);
  });

  it('refuses input_data without some model columns and names them', () => {
    const columns = featureColumns.filter((c) => c !== 'age' && c !== 'region');
    expect(runError({ input_data: { columns, data: [] } }).message).toContain("input_data.columns lacks 'age', 'region'");
  });

  it('refuses a row of the wrong length and says which row', () => {
    expect(runError({ input_data: { columns: featureColumns, data: [rowA, rowB.slice(1)] } }).message).toBe(
      'input_data.data[1] has 7 values but input_data.columns names 8',
    );
    expect(runError({ data: [rowA, [...rowB, 'x']] }).message).toBe(
      `data[1] has 9 values; expected 8, in this order: ${featureColumns.join(', ')}`,
    );
  });

  it('refuses an object row without a model column', () => {
    const row = Object.fromEntries(featureColumns.map((c, j) => [c, rowA[j]]));
    delete row['contract'];
    expect(runError({ data: [row] }).message).toContain("data[0] lacks 'contract'");
  });

  it('refuses text in a numeric column and nested values', () => {
    expect(runError({ data: [['five', ...rowA.slice(1)]] }).message).toContain("row 0, column 'tenure_months': expected a number");
    expect(runError({ data: [[{}, ...rowA.slice(1)]] }).message).toBe('data[0][0]: expected a number, string, boolean or null');
  });

  it('refuses a body with neither input_data nor data', () => {
    expect(runError({ inputs: [] }).message).toBe('expected "input_data" or "data" at the top level, got "inputs"');
  });
});

describe('loadModel', () => {
  it('explains when no model.json is found', () => {
    const empty = mkdtempSync(join(tmpdir(), 'score-empty-'));
    try {
      expect(() => loadModel(empty)).toThrow(`no model.json in ${empty} or in its subfolders`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses a model.json that train.ts did not write', () => {
    const dir = mkdtempSync(join(tmpdir(), 'score-bad-'));
    try {
      writeFileSync(join(dir, 'model.json'), '{"weights": [1]}');
      expect(() => loadModel(dir)).toThrow('is not a model written by train.ts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
