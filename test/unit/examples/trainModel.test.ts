import { computeMetrics } from '../../../shared/evaluation/metrics';
import { generateDataset } from '../../../examples/tabular/lib/generateDataset';
import { predictRows } from '../../../examples/tabular/lib/predictRows';
import { serializeModel } from '../../../examples/tabular/lib/modelDocument';
import { TrainingDataError } from '../../../examples/tabular/lib/TrainingDataError';
import { trainModel } from '../../../examples/tabular/lib/trainModel';

/** Generated data as CSV cells, split into the first `trainRows` and the rest. */
function generatedTable(options: { rows: number; classes?: number; seed: number }, trainRows: number) {
  const { columns, rows } = generateDataset(options);
  const cells = rows.map((row) => row.map((c) => (c === null ? '' : String(c))));
  const test = cells.slice(trainRows);
  return {
    train: { columns, rows: cells.slice(0, trainRows) },
    testFeatures: test.map((row) => row.slice(0, -1)),
    testLabels: test.map((row) => row.at(-1)),
  };
}

describe('trainModel', () => {
  it('reaches a held-out AUC above 0.75 on generated churn data', () => {
    const { train, testFeatures, testLabels } = generatedTable({ rows: 5000, seed: 11 }, 4000);
    const { model, validation } = trainModel(train, 'label', { seed: 1 });
    const scored = predictRows(model, testFeatures);
    const held = computeMetrics(testLabels, scored.probabilities, scored.classes);
    expect(held.auc).toBeGreaterThan(0.75);
    expect(validation!.auc).toBeGreaterThan(0.7);
    expect(model.training.stopReason).toBe('gradient');
  });

  it('predicts three classes far better than chance', () => {
    const { train, testFeatures, testLabels } = generatedTable({ rows: 4000, classes: 3, seed: 12 }, 3000);
    const { model } = trainModel(train, 'label', { seed: 1 });
    expect(model.classes).toEqual([0, 1, 2]);
    expect(model.coefficients).toHaveLength(3);
    const scored = predictRows(model, testFeatures);
    const held = computeMetrics(testLabels, scored.probabilities, scored.classes);
    expect(held.accuracy).toBeGreaterThan(0.55); // chance is at most ~0.45 (the largest class)
    expect(held.auc).toBeGreaterThan(0.75);
  });

  it('gives byte-identical model JSON for the same data and seed, and holds out other rows for another seed', () => {
    const { train } = generatedTable({ rows: 600, seed: 13 }, 600);
    const first = trainModel(train, 'label', { seed: 7 }).model;
    expect(serializeModel(trainModel(train, 'label', { seed: 7 }).model)).toBe(serializeModel(first));
    const other = trainModel(train, 'label', { seed: 8 }).model;
    expect(other.coefficients).not.toEqual(first.coefficients);
  });

  it('skips rows without a label and says how many', () => {
    const lines: string[] = [];
    const table = {
      columns: ['x', 'label'],
      rows: [
        ['1', 'a'],
        ['2', ''],
        ['3', 'b'],
        ['4', 'a'],
        ['5', 'b'],
      ],
    };
    const { model } = trainModel(table, 'label', { validationFraction: 0, log: (l) => lines.push(l) });
    expect(model.training.rowsWithoutLabel).toBe(1);
    expect(lines.join('\n')).toContain('1 without label skipped');
  });

  it('refuses a table without the label column and lists the columns it found', () => {
    const table = { columns: ['tenure', 'plan'], rows: [['1', 'a']] };
    expect(() => trainModel(table, 'label', { source: 'data.csv' })).toThrow(
      new TrainingDataError('data.csv', "no label column 'label'; columns found: tenure, plan"),
    );
  });

  it('refuses a label with a single class', () => {
    const table = {
      columns: ['x', 'label'],
      rows: [
        ['1', 'yes'],
        ['2', 'yes'],
      ],
    };
    expect(() => trainModel(table, 'label')).toThrow(`label column 'label' has only the class "yes"; need at least 2 classes`);
  });
});
