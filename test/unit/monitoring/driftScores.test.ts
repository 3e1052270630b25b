import { driftScores } from '../../../shared/monitoring/driftScores';
import { compareToBaseline, createWindowProfile, profileBaseline, type CompareToBaselineOptions } from '../../../shared/monitoring/stats';
import { COLUMNS, syntheticRows, type Shift } from './syntheticDrift';

async function scores(shift: Shift, options: CompareToBaselineOptions = {}, windowRows = 1000) {
  const baseline = await profileBaseline(COLUMNS, syntheticRows(1, 2000), { prediction: 'prediction' });
  const window = createWindowProfile(baseline);
  for (const row of syntheticRows(1_000_001, windowRows, shift)) window.add(row);
  const report = compareToBaseline(baseline, window, options);
  return { report, scores: driftScores(report, options) };
}

describe('driftScores (the figures of autopilot.DriftDetected)', () => {
  test('lists every compared metric of every feature and the predictions, with the threshold that decided it', async () => {
    const { report, scores: all } = await scores({ tenureMeanShift: 0.5 });
    const of = (feature: string) => all.filter((s) => s.feature === feature).map((s) => s.metric);
    expect(of('tenure_months')).toEqual(['psi', 'jensen_shannon', 'wasserstein', 'ks']);
    expect(of('plan')).toEqual(['psi', 'jensen_shannon', 'chi2']);
    expect(all.find((s) => s.role === 'prediction')?.feature).toBe('prediction');
    const tenurePsi = all.find((s) => s.feature === 'tenure_months' && s.metric === 'psi')!;
    expect(tenurePsi).toEqual({
      feature: 'tenure_months',
      role: 'feature',
      metric: 'psi',
      value: report.features[0]!.metrics.psi,
      corrected: report.features[0]!.metrics.corrected!.psi,
      threshold: 0.2,
      drifted: true,
    });
    // Below-threshold scores are there too, so dashboards see them.
    expect(all.find((s) => s.feature === 'monthly_spend' && s.metric === 'psi')).toMatchObject({ drifted: false, threshold: 0.2 });
    expect(all.every((s) => Number.isFinite(s.value))).toBe(true);
  });

  test('uses the per-feature thresholds the comparison used, and leaves out checks switched off', async () => {
    const { scores: all } = await scores(
      {},
      { thresholds: { wasserstein: null }, features: { tenure_months: { psi: 0.5, ksPValue: 0.001 } } },
    );
    expect(all.find((s) => s.feature === 'tenure_months' && s.metric === 'psi')?.threshold).toBe(0.5);
    expect(all.find((s) => s.feature === 'monthly_spend' && s.metric === 'psi')?.threshold).toBe(0.2);
    expect(all.find((s) => s.feature === 'tenure_months' && s.metric === 'ks')).toMatchObject({
      threshold: 0.001,
      pValue: expect.any(Number),
    });
    expect(all.some((s) => s.metric === 'wasserstein')).toBe(false);
  });

  test('leaves out the metrics a small window could not judge (a distribution needs 100 values on each side)', async () => {
    expect((await scores({}, {}, 60)).scores).toEqual([]);
    const { scores: all } = await scores({}, {}, 300);
    expect([...new Set(all.map((s) => s.metric))].sort()).toEqual(['chi2', 'jensen_shannon', 'ks', 'psi', 'wasserstein']);
  });
});
