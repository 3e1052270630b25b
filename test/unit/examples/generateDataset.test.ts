import { BASE_COLUMNS, generateCsv, generateDataset } from '../../../examples/tabular/generate';

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const column = (rows: (string | number | null)[][], j: number): number[] =>
  rows.map((row) => row[j]).filter((v): v is number => typeof v === 'number');

describe('generateDataset', () => {
  it('writes the churn-like base columns, then label, with numbers, categories and blanks', () => {
    const { columns, rows } = generateDataset({ rows: 2000, seed: 1 });
    expect(columns).toEqual([...BASE_COLUMNS, 'label']);
    expect(new Set(rows.map((r) => r[5]))).toEqual(new Set(['month-to-month', 'one-year', 'two-year']));
    const blanks = rows.filter((r) => r.includes(null)).length;
    expect(blanks).toBeGreaterThan(20);
    expect(blanks).toBeLessThan(400);
    const churnRate = mean(rows.map((r) => r.at(-1) as number));
    expect(churnRate).toBeGreaterThan(0.15);
    expect(churnRate).toBeLessThan(0.45);
  });

  it('gives the same CSV for the same seed and a different one for another seed', () => {
    expect(generateCsv({ rows: 200, seed: 9 })).toBe(generateCsv({ rows: 200, seed: 9 }));
    expect(generateCsv({ rows: 200, seed: 9 })).not.toBe(generateCsv({ rows: 200, seed: 10 }));
  });

  it('adds numeric f1..fk to reach the requested feature count', () => {
    const { columns, rows } = generateDataset({ rows: 5, features: 20 });
    expect(columns).toHaveLength(21);
    expect(columns.slice(8, 20)).toEqual(Array.from({ length: 12 }, (_, j) => `f${j + 1}`));
    expect(rows.every((r) => r.length === 21)).toBe(true);
  });

  it('draws labels 0..k-1 for k classes', () => {
    const { rows } = generateDataset({ rows: 600, classes: 3, seed: 2 });
    expect(new Set(rows.map((r) => r.at(-1)))).toEqual(new Set([0, 1, 2]));
  });

  it('shifts the mean of numeric features by the requested number of spreads', () => {
    const base = generateDataset({ rows: 3000, seed: 4 });
    const shifted = generateDataset({ rows: 3000, seed: 4, shift: 1 });
    // age: spread 14, rarely clipped at its bounds
    expect(mean(column(shifted.rows, 4)) - mean(column(base.rows, 4))).toBeGreaterThan(12);
  });

  it('flips about the requested share of labels with label noise', () => {
    const clean = generateDataset({ rows: 4000, seed: 5 }).rows.map((r) => r.at(-1));
    const noisy = generateDataset({ rows: 4000, seed: 5, labelNoise: 0.2 }).rows.map((r) => r.at(-1));
    const flipped = clean.filter((y, i) => y !== noisy[i]).length / clean.length;
    expect(flipped).toBeGreaterThan(0.15);
    expect(flipped).toBeLessThan(0.25);
  });

  it('refuses impossible options with a message naming the option', () => {
    expect(() => generateDataset({ classes: 1 })).toThrow('classes must be an integer >= 2');
    expect(() => generateDataset({ rows: 0 })).toThrow('rows must be a positive integer');
  });
});
