import {
  compareToBaseline,
  createWindowProfile,
  DEFAULT_DRIFT_THRESHOLDS,
  HISTOGRAM_CATEGORIES,
  HISTOGRAM_OTHER,
  populationStabilityIndex,
  profileBaseline,
  type DriftHistogram,
  type DriftReport,
} from '../../../shared/monitoring/stats';
import { COLUMNS, syntheticRows } from './syntheticDrift';

async function report(windowRows: unknown[][], options: Parameters<typeof compareToBaseline>[2] = {}): Promise<DriftReport> {
  const baseline = await profileBaseline(COLUMNS, syntheticRows(11, 2000), { prediction: 'prediction' });
  const window = createWindowProfile(baseline);
  for (const row of windowRows) window.add(row);
  return compareToBaseline(baseline, window, options);
}

const byName = (r: DriftReport, name: string) => r.features.find((f) => f.feature === name)!;
const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('drift histograms in the drift report', () => {
  test('a numeric feature has finite, non-decreasing edges, one more than its bins, and proportions that sum to 1', async () => {
    // Values beyond the baseline's range on both sides land in the outer bins.
    const rows = syntheticRows(12, 1000, { tenureMeanShift: 0.5 });
    rows[0]![0] = -500;
    rows[1]![0] = 9000;
    const h = byName(await report(rows), 'tenure_months').histogram as Extract<DriftHistogram, { kind: 'numeric' }>;
    expect(h.kind).toBe('numeric');
    expect(h.edges).toHaveLength(h.baseline.length + 1);
    expect(h.window).toHaveLength(h.baseline.length);
    expect(h.edges.every(Number.isFinite)).toBe(true);
    expect(h.edges.every((e, i) => i === 0 || e >= h.edges[i - 1]!)).toBe(true);
    expect(h.edges[0]).toBe(-500);
    expect(h.edges.at(-1)).toBe(9000);
    expect(total(h.baseline)).toBeCloseTo(1, 4);
    expect(total(h.window)).toBeCloseTo(1, 4);
    // The outer bins are empty in the baseline by construction; the window's outliers are there.
    expect([h.baseline[0], h.baseline.at(-1)]).toEqual([0, 0]);
    expect(h.window[0]).toBeCloseTo(1 / 1000, 6);
  });

  test('the numeric bins are the ones PSI compared: PSI recomputed from the proportions matches the report', async () => {
    const f = byName(await report(syntheticRows(13, 1000, { spendSpreadFactor: 2 })), 'monthly_spend');
    expect(populationStabilityIndex(f.histogram.baseline, f.histogram.window)).toBeCloseTo(f.metrics.psi, 3);
  });

  test('outer edges fall back to the profile edges when nothing lies outside them', async () => {
    const h = byName(await report(syntheticRows(14, 300)), 'monthly_spend').histogram as Extract<DriftHistogram, { kind: 'numeric' }>;
    expect(h.edges[0]).toBe(h.edges[1]);
    expect(h.window[0]).toBe(0);
  });

  test('a categorical feature lists the baseline categories by share, then (other) holding the unseen values', async () => {
    const f = byName(await report(syntheticRows(15, 1000, { newPlanShare: 0.1 })), 'plan');
    const h = f.histogram as Extract<DriftHistogram, { kind: 'categorical' }>;
    expect(h.kind).toBe('categorical');
    expect(h.categories.at(-1)).toBe(HISTOGRAM_OTHER);
    expect(h.baseline).toHaveLength(h.categories.length);
    expect(h.window).toHaveLength(h.categories.length);
    expect(h.baseline.slice(0, -1)).toEqual([...h.baseline.slice(0, -1)].sort((a, b) => b - a));
    expect(total(h.baseline)).toBeCloseTo(1, 4);
    expect(total(h.window)).toBeCloseTo(1, 4);
    expect(h.baseline.at(-1)).toBe(0);
    expect(h.window.at(-1)).toBeCloseTo(f.quality.unseenCategoryRate!, 4);
  });

  test(`a categorical feature with more than ${HISTOGRAM_CATEGORIES} categories folds the rarer ones into (other)`, async () => {
    const columns = ['city'];
    // City i has weight 40 - i: a strict order by share; the 15 rarest make up (other).
    const rows: string[][] = [];
    for (let i = 0; i < 35; i++) for (let k = 0; k < 40 - i; k++) rows.push([`c${i}`]);
    const baseline = await profileBaseline(columns, rows);
    const window = createWindowProfile(baseline);
    for (const row of rows) window.add(row);
    window.add(['never-seen']);
    const h = compareToBaseline(baseline, window).features[0]!.histogram as Extract<DriftHistogram, { kind: 'categorical' }>;
    expect(h.categories).toEqual([...Array.from({ length: HISTOGRAM_CATEGORIES }, (_, i) => `c${i}`), HISTOGRAM_OTHER]);
    const all = rows.length;
    const rare = rows.filter(([c]) => Number(c!.slice(1)) >= HISTOGRAM_CATEGORIES).length;
    expect(h.baseline.at(-1)).toBeCloseTo(rare / all, 5);
    expect(h.window.at(-1)).toBeCloseTo((rare + 1) / (all + 1), 5);
    expect(total(h.window)).toBeCloseTo(1, 4);
  });

  test('the predictions get a histogram too, and an empty window has all-zero proportions rather than NaN', async () => {
    const r = await report([]);
    expect(r.prediction?.histogram.kind).toBe('categorical');
    for (const f of [...r.features, r.prediction!]) {
      expect(f.histogram.window.every((p) => p === 0)).toBe(true);
      expect(JSON.parse(JSON.stringify(f.histogram))).toEqual(f.histogram);
    }
  });

  test('each feature carries the thresholds it was compared against, overrides included', async () => {
    const r = await report(syntheticRows(16, 200), { thresholds: { psi: 0.3 }, features: { plan: { chiSquaredPValue: null } } });
    expect(byName(r, 'tenure_months').thresholds).toEqual({ ...DEFAULT_DRIFT_THRESHOLDS, psi: 0.3 });
    expect(byName(r, 'plan').thresholds).toMatchObject({ psi: 0.3, chiSquaredPValue: null });
    expect(r.prediction!.thresholds.psi).toBe(0.3);
  });
});
