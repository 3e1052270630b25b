import {
  compareToBaseline,
  createWindowProfile,
  profileBaseline,
  type BaselineProfile,
  type DriftReport,
} from '../../../shared/monitoring/stats';
import { COLUMNS, syntheticRows } from './syntheticDrift';

let baseline: BaselineProfile;
beforeAll(async () => {
  baseline = await profileBaseline(COLUMNS, syntheticRows(1, 2000), {
    prediction: 'prediction',
    ranges: { monthly_spend: { min: 0, max: 500 } },
  });
});

/** A clean window of 500 rows (objects, as inference records carry them) with `edit` applied. */
function windowOf(edit: (row: Record<string, unknown>, i: number) => void): DriftReport {
  const window = createWindowProfile(baseline);
  syntheticRows(2, 500).forEach((cells, i) => {
    const row: Record<string, unknown> = Object.fromEntries(COLUMNS.map((c, j) => [c, cells[j]]));
    edit(row, i);
    window.add(row);
  });
  return compareToBaseline(baseline, window);
}
const feature = (r: DriftReport, name: string) => r.features.find((f) => f.feature === name)!;

describe('data quality', () => {
  test('a clean window breaches no data-quality check', () => {
    const r = windowOf(() => {});
    expect(r.dataQualityDegraded).toBe(false);
    expect(r.insufficientData).toBe(false);
  });

  test('nulls above the baseline null rate are reported with both rates', () => {
    const r = windowOf((row, i) => {
      if (i % 5 === 0) row.tenure_months = i % 10 === 0 ? null : '';
    });
    const f = feature(r, 'tenure_months');
    expect(f.quality.nullRate).toBeCloseTo(0.2, 10);
    expect(f.breached).toContain('nullRate');
    expect(r.dataQualityDegraded).toBe(true);
    expect(r.reasons).toContain('feature tenure_months: null rate 20% vs baseline 0% (limit +5%)');
  });

  test('values outside a declared range are out of range even where the observed range would allow them', () => {
    const r = windowOf((row, i) => {
      if (i % 10 === 0) row.monthly_spend = -20;
    });
    const f = feature(r, 'monthly_spend');
    expect(f.quality.outOfRangeRate).toBeCloseTo(0.1, 10);
    expect(f.breached).toContain('outOfRange');
    expect(f.reasons.join()).toMatch(/10% out of range \[0, 500\]/);
  });

  test('values beyond the observed range widened by 10% count as out of range', () => {
    const r = windowOf((row, i) => {
      if (i % 4 === 0) row.tenure_months = 10_000;
    });
    // 125 planted, plus one natural 4-sigma draw beyond the baseline's (max + 10%).
    expect(feature(r, 'tenure_months').quality.outOfRangeRate).toBeCloseTo(126 / 500, 10);
    expect(feature(r, 'tenure_months').breached).toContain('outOfRange');
  });

  test('text in a numeric feature is a type error, kept out of the distribution and quoted in the reason', () => {
    const r = windowOf((row, i) => {
      if (i % 20 === 0) row.monthly_spend = 'N/A';
    });
    const f = feature(r, 'monthly_spend');
    expect(f.quality.typeErrorRate).toBeCloseTo(0.05, 10);
    expect(f.quality.typeErrorExamples).toEqual(['N/A']);
    expect(f.values).toBe(475);
    expect(f.reasons.join()).toContain('5% not numbers, e.g. "N/A"');
  });

  test('categories the baseline never saw are counted as unseen and named', () => {
    const r = windowOf((row, i) => {
      if (i % 10 < 2) row.plan = i % 20 === 0 ? 'student' : 'nonprofit';
    });
    const f = feature(r, 'plan');
    expect(f.quality.unseenCategoryRate).toBeCloseTo(0.2, 10);
    expect(f.quality.unseenExamples!.map((e) => e.value).sort()).toEqual(['nonprofit', 'student']);
    expect(f.breached).toContain('unseenCategories');
  });

  test('a feature missing from every row of the window is reported as absent', () => {
    const r = windowOf((row) => {
      delete row.plan;
    });
    const f = feature(r, 'plan');
    expect(f.quality.absentRate).toBe(1);
    expect(f.breached).toContain('absent');
    expect(r.reasons).toContain('feature plan: null rate 100% vs baseline 0% (limit +5%), missing from every row of the window');
  });

  test('an empty window is reported as insufficient data, not as a pass', () => {
    const r = compareToBaseline(baseline, createWindowProfile(baseline));
    expect(r.insufficientData).toBe(true);
    expect(r.drifted).toBe(false);
    expect(r.reasons[0]).toBe('window is empty: nothing was compared');
    expect(r.features.every((f) => f.status === 'insufficient-data')).toBe(true);
  });

  test('a window below the minimum test size compares nothing and says how small it was', () => {
    const window = createWindowProfile(baseline);
    syntheticRows(3, 20, { tenureMeanShift: 3 }).forEach((row) => window.add(row));
    const r = compareToBaseline(baseline, window);
    expect(r.insufficientData).toBe(true);
    expect(r.drifted).toBe(false);
    expect(r.reasons[0]).toMatch(/^window too small: at most 20 values per feature/);
    expect(feature(r, 'tenure_months').notEvaluated).toEqual(expect.arrayContaining(['psi', 'ks', 'outOfRange']));
  });
});
