import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import reference from '../../fixtures/regression/diabetes-ridge.json';
import { readCsvTable } from '../../../examples/tabular/lib/readCsvTable';
import { serializeModel } from '../../../examples/tabular/lib/modelDocument';
import { trainRegressor } from '../../../examples/tabular/lib/trainRegressor';
import { predictRows } from '../../../examples/tabular/lib/predictRows';
import { TrainingDataError } from '../../../examples/tabular/lib/TrainingDataError';
import { fitRidge } from '../../../examples/tabular/lib/ridgeRegression';
import { runTrainingJob } from '../../../examples/tabular/train';
import { loadModel, scoreRequest } from '../../../examples/tabular/score';

const diabetesPath = join(__dirname, '../../fixtures/regression/diabetes.csv');
const diabetes = readCsvTable(readFileSync(diabetesPath, 'utf8'), 'diabetes.csv');
const features = (rows: string[][]) => rows.map((row) => row.slice(0, -1));

describe('the example regressor (train.ts --task regression)', () => {
  it("matches scikit-learn's Ridge on the public diabetes data (442 rows, 10 numeric features)", () => {
    const { model, train } = trainRegressor(diabetes, 'progression', { l2: reference.l2, validationFraction: 0 });
    expect(model.intercept).toBeCloseTo(reference.intercept, 8);
    model.coefficients.forEach((c, j) => expect(c).toBeCloseTo(reference.coefficients[j]!, 8));
    const { predictions } = predictRows(model, features(diabetes.rows));
    predictions.forEach((p, i) => expect(p).toBeCloseTo(reference.predictions[i]!, 7));
    expect(train.r2).toBeGreaterThan(0.5);
  });

  it('gives the same model bytes for the same data and seed, and other validation rows for another seed', () => {
    const a = serializeModel(trainRegressor(diabetes, 'progression', { seed: 3 }).model);
    const b = serializeModel(trainRegressor(diabetes, 'progression', { seed: 3 }).model);
    const c = serializeModel(trainRegressor(diabetes, 'progression', { seed: 4 }).model);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(JSON.parse(a).training).toMatchObject({ trainingRows: 398, validationRows: 44 });
  });

  it('refuses a target that is not a number, naming the data rows', () => {
    const rows = diabetes.rows.map((row, i) => (i === 4 || i === 9 ? [...row.slice(0, -1), 'high'] : row));
    expect(() => trainRegressor({ columns: diabetes.columns, rows }, 'progression', { source: 'upload.csv' })).toThrow(
      new TrainingDataError(
        'upload.csv',
        '2 rows have a target \'progression\' that is not a finite number: data row 5 ("high"), data row 10 ("high"); ' +
          'a regressor needs numbers (or train a classifier: task classification)',
      ),
    );
  });

  it('solves collinear one-hot inputs without a penalty (the smallest ridge that makes the system solvable)', () => {
    // Two columns that always sum to 1, as a category's indicators do, and l2 = 0.
    const x = Float64Array.from([1, 0, 0, 1, 1, 0, 0, 1, 1, 0]);
    const fit = fitRidge(x, 2, [3, 1, 3, 1, 3], 0);
    expect(fit.l2).toBeGreaterThan(0);
    expect(fit.intercept + fit.coefficients[0]!).toBeCloseTo(3, 6);
    expect(fit.intercept + fit.coefficients[1]!).toBeCloseTo(1, 6);
  });

  it('writes regression metrics and a model that score.ts answers with one number per row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regressor-'));
    try {
      const metricsFile = join(dir, 'metrics.jsonl');
      writeFileSync(metricsFile, '');
      await runTrainingJob({
        data: diabetesPath,
        label: 'progression',
        task: 'regression',
        modelDir: join(dir, 'model'),
        metricsFile,
        env: {},
      });
      const names = readFileSync(metricsFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { name: string }).name);
      expect(names).toEqual(
        expect.arrayContaining(['train_rmse', 'train_mae', 'train_r2', 'validation_rmse', 'validation_r2', 'training_rows']),
      );
      expect(names).not.toContain('iterations');
      const answer = scoreRequest(loadModel(join(dir, 'model')), JSON.stringify({ data: features(diabetes.rows.slice(0, 3)) }));
      expect(answer).not.toHaveProperty('probabilities');
      expect(answer.predictions).toHaveLength(3);
      for (const p of answer.predictions) expect(typeof p === 'number' && Number.isFinite(p)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
