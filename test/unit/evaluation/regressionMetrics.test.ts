import fixture from '../../fixtures/evaluation/regression.json';
import { regressionMetrics } from '../../../shared/evaluation/regressionMetrics';
import { regressionEvidence } from '../../../shared/evaluation/paired/regressionEvidence';
import { mulberry32 } from '../../../shared/data/split';
import { NonNumericPredictionError, predictionAsNumber, regressionMetricsFromAnswers } from '../../../shared/evaluation/regressionAnswers';

/** Reference numbers from scripts/regression-fixtures.py (scikit-learn 1.2). */
describe('regression metrics against scikit-learn', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const m = regressionMetrics(c.truth, c.predictions);
    expect(m.rmse).toBeCloseTo(c.rmse, 9);
    expect(m.mae).toBeCloseTo(c.mae, 9);
    expect(m.r2).toBeCloseTo(c.r2, 12);
    if ('mape' in c) expect(m.mape).toBeCloseTo(c.mape as number, 12);
    else expect(m).not.toHaveProperty('mape');
  });

  it('refuses a prediction that is not a finite number, naming the row', () => {
    expect(() => regressionMetrics([1, 2, 3], [1, Number.NaN, 3])).toThrow('yPred[1] is NaN, not a finite number');
    expect(() => regressionMetrics([1, 2], [1])).toThrow('yPred has 1 entries but yTrue has 2');
  });
});

describe('the paired comparison of two regressors', () => {
  const diabetes = fixture.cases[0]!;
  const ridge = fixture.cases[1]!;
  const rows = { truth: diabetes.truth, candidate: diabetes.predictions, champion: ridge.predictions };

  it.each(['rmse', 'mae', 'r2', 'mape'] as const)(
    '%s: the point improvement is the difference of the scikit-learn values',
    async (metric) => {
      const evidence = (await regressionEvidence(metric, rows))!;
      const value = (c: typeof diabetes) => (metric === 'mape' ? c.mape! : c[metric]);
      const better = metric === 'r2' ? value(diabetes) - value(ridge) : value(ridge) - value(diabetes);
      expect(evidence.improvement).toBeCloseTo(better, 9);
      expect(evidence.rows).toBe(100);
      // Swapping the models negates it.
      const swapped = (await regressionEvidence(metric, { ...rows, candidate: rows.champion, champion: rows.candidate }))!;
      expect(swapped.improvement).toBeCloseTo(-better, 9);
    },
  );

  it('is sure of a clearly better regressor and not of an equally good one', async () => {
    const random = mulberry32(11);
    const noise = (sd: number) => sd * Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
    const truth = Array.from({ length: 2000 }, () => 100 + noise(20));
    const good = truth.map((y) => y + noise(5));
    const worse = truth.map((y) => y + noise(10));
    const equal = truth.map((y) => y + noise(5));
    for (const metric of ['rmse', 'mae', 'r2', 'mape'] as const) {
      const sure = (await regressionEvidence(metric, { truth, candidate: good, champion: worse }))!;
      expect(sure.pAbove(0)).toBeLessThan(0.001);
      const [low] = sure.interval(0.05);
      expect(low).toBeGreaterThan(0);
      const unsure = (await regressionEvidence(metric, { truth, candidate: equal, champion: good }))!;
      const [lo, hi] = unsure.interval(0.025);
      expect(lo).toBeLessThan(0);
      expect(hi).toBeGreaterThan(0);
    }
  });

  it('has no mape when a target is 0, and the same verdict from the same seed', async () => {
    const zero = { truth: [0, 1, 2, 3], candidate: [0.5, 1, 2.5, 2], champion: [0, 1, 2, 2] };
    expect(await regressionEvidence('mape', zero)).toBeUndefined();
    const a = (await regressionEvidence('rmse', rows, { seed: 5 }))!;
    const b = (await regressionEvidence('rmse', rows, { seed: 5 }))!;
    expect(a.interval(0.05)).toEqual(b.interval(0.05));
  });

  it('keeps r2 exact on large targets with a small spread (no cancellation in the total sum of squares)', async () => {
    // Σy² − (Σy)²/n on targets of 1e9 ± 10 loses every digit of the ~2e4 it should give.
    const truth = Array.from({ length: 200 }, (_, i) => 1e9 + ((i * 37) % 21) - 10);
    const candidate = truth.map((y, i) => y + ((i % 5) - 2));
    const champion = truth.map((y, i) => y + ((i % 7) - 3));
    const evidence = (await regressionEvidence('r2', { truth, candidate, champion }))!;
    expect(evidence.improvement).toBeCloseTo(regressionMetrics(truth, candidate).r2 - regressionMetrics(truth, champion).r2, 9);
  });
});

describe('regression metrics from scoring answers', () => {
  it('reads numbers from batches of answers, numeric strings included', () => {
    const { metrics, predictions } = regressionMetricsFromAnswers([1, 2, 3, 4], [{ predictions: [1.5, '2'] }, { predictions: [3, 3] }]);
    expect(predictions).toEqual([1.5, 2, 3, 3]);
    expect(metrics['mae']).toBeCloseTo(0.375, 12);
    expect(metrics['rmse']).toBeCloseTo(Math.sqrt(1.25 / 4), 12);
  });

  it('reads numeric strings as the data gate reads targets: plain decimals only ("0x1A" and "0b11" are no predictions)', () => {
    expect(['151.2', ' 12 ', '1e-05', '-0.0', '+.5'].map(predictionAsNumber)).toEqual([151.2, 12, 1e-5, -0, 0.5]);
    for (const text of ['0x1A', '0b11', '0o7', 'Infinity', 'nan', '1_000', '']) expect(predictionAsNumber(text)).toBeNaN();
    expect(() => regressionMetricsFromAnswers([1, 2], [{ predictions: [1, '0x1A'] }])).toThrow(
      /held-out row 2 is "0x1A", not a finite number/,
    );
  });

  it('refuses a class label or a null as a prediction, naming the row', () => {
    expect(() => regressionMetricsFromAnswers([1, 2], [{ predictions: [1, 'yes'] }])).toThrow(new NonNumericPredictionError(1, 'yes'));
    expect(() => regressionMetricsFromAnswers([1, 2], [{ predictions: [null, 2] }])).toThrow(/held-out row 1 is null, not a finite number/);
    expect(() => regressionMetricsFromAnswers([1, 2], [{ predictions: [1] }])).toThrow('the scorer returned 1 predictions for 2 rows');
  });
});

describe('regression metrics and evidence at the ends of the double range', () => {
  // The data gate takes any finite target; squares of 1e200 overflow and of 1e-200 underflow.
  it.each([1e200, 1e-200])('gives finite, scale-free metrics on targets of %s', async (scale) => {
    const truth = [1, 2, 3, 4, 5, 6].map((v) => v * scale);
    const candidate = [1.1, 2, 2.8, 4.2, 5, 6.1].map((v) => v * scale);
    const champion = [1.3, 1.8, 3.3, 4, 5.4, 5.7].map((v) => v * scale);
    const unit = regressionMetrics([1, 2, 3, 4, 5, 6], [1.1, 2, 2.8, 4.2, 5, 6.1]);
    const scaled = regressionMetrics(truth, candidate);
    expect(scaled.rmse / scale).toBeCloseTo(unit.rmse, 12);
    expect(scaled.mae / scale).toBeCloseTo(unit.mae, 12);
    expect(scaled.r2).toBeCloseTo(unit.r2, 12);
    for (const metric of ['rmse', 'r2', 'mae'] as const) {
      const evidence = (await regressionEvidence(metric, { truth, candidate, champion }, { seed: 1 }))!;
      const reference = (await regressionEvidence(
        metric,
        { truth: [1, 2, 3, 4, 5, 6], candidate: [1.1, 2, 2.8, 4.2, 5, 6.1], champion: [1.3, 1.8, 3.3, 4, 5.4, 5.7] },
        { seed: 1 },
      ))!;
      const unitOf = metric === 'r2' ? 1 : scale;
      expect(evidence.improvement / unitOf).toBeCloseTo(reference.improvement, 10);
      // Rounding of the scaled values may break a few exact ties among the resamples.
      expect(Math.abs(evidence.pAbove(0) - reference.pAbove(0))).toBeLessThan(0.01);
    }
  });
});
