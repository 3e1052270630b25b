import { EvaluationPolicy } from '../../../shared/config/schema';
import { decideGate } from '../../../shared/evaluation/gate';
import { regressionEvidence } from '../../../shared/evaluation/paired/regressionEvidence';
import { regressionMetrics } from '../../../shared/evaluation/regressionMetrics';
import { mulberry32 } from '../../../shared/data/split';

const policy = EvaluationPolicy.parse({ metric: 'rmse', bootstrapSamples: 500 });

describe('the regression gate on a handful of held-out rows', () => {
  it('does not promote on one or two rows the candidate happens to predict better', async () => {
    // Two equally good models: on n rows one is better on every row with probability 2^-n.
    for (const rows of [
      { truth: [10], candidate: [10.5], champion: [12] },
      { truth: [10, 20], candidate: [10.5, 19], champion: [12, 23] },
      { truth: [10, 20, 30, 40], candidate: [10.5, 19, 30.2, 41], champion: [12, 23, 29, 43] },
    ]) {
      const decision = await decideGate(
        policy,
        regressionMetrics(rows.truth, rows.candidate) as never,
        regressionMetrics(rows.truth, rows.champion) as never,
        {
          regressionRows: rows,
        },
      );
      expect(decision.outcome).toBe('inconclusive');
      expect(decision.passed).toBe(false);
    }
  });

  it.each(['rmse', 'mae', 'r2', 'mape'] as const)(
    '%s: no p-value below 2^-n, the exact sign-flip tail of a candidate better on every row',
    async (metric) => {
      const evidence = (await regressionEvidence(metric, { truth: [10, 20, 30], candidate: [10.5, 19, 30.2], champion: [12, 23, 29] }))!;
      expect(evidence.pAbove(0)).toBeGreaterThanOrEqual(1 / 8);
    },
  );
});

describe('false promotions of equal regressors on small holdouts', () => {
  it('stays near alpha on 6 held-out rows (the percentile bootstrap promoted about 10 % at alpha 0.05)', async () => {
    const seeded = EvaluationPolicy.parse({ metric: 'rmse', bootstrapSamples: 200 });
    let promoted = 0;
    const trials = 400;
    for (let s = 0; s < trials; s++) {
      const random = mulberry32(s + 6000);
      const normal = () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
      const truth = Array.from({ length: 6 }, () => 50 + 10 * normal());
      const candidate = truth.map((y) => y + 4 * normal());
      const champion = truth.map((y) => y + 4 * normal());
      const m = (p: number[]) => ({ ...regressionMetrics(truth, p) }) as unknown as Record<string, number>;
      const decision = await decideGate({ ...seeded, seed: s }, m(candidate), m(champion), {
        regressionRows: { truth, candidate, champion },
      });
      if (decision.outcome === 'promote') promoted++;
    }
    expect(promoted / trials).toBeLessThan(0.07);
  }, 60_000);
});
