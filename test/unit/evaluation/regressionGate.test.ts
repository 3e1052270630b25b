import { EvaluationPolicy } from '../../../shared/config/schema';
import { mulberry32 } from '../../../shared/data/split';
import { decideGate } from '../../../shared/evaluation/gate';
import { regressionMetrics } from '../../../shared/evaluation/regressionMetrics';

const policy = (overrides: Record<string, unknown> = {}) => EvaluationPolicy.parse({ metric: 'rmse', bootstrapSamples: 500, ...overrides });

/** A target and two regressors' predictions with the given error spreads, seeded. */
function pair(rows: number, candidateSd: number, championSd: number, seed = 1) {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
  const truth = Array.from({ length: rows }, () => 50 + 10 * normal());
  const candidate = truth.map((y) => y + candidateSd * normal());
  const champion = truth.map((y) => y + championSd * normal());
  const metrics = (p: number[]) => ({ ...regressionMetrics(truth, p) }) as Record<string, number>;
  return { rows: { truth, candidate, champion }, candidate: metrics(candidate), champion: metrics(champion) };
}

describe('the evaluation gate for regressors', () => {
  it.each(['rmse', 'mae', 'r2', 'mape'])('%s: promotes a clearly better regressor, rejects a clearly worse one', async (metric) => {
    const better = pair(1000, 3, 5);
    const promote = await decideGate(policy({ metric }), better.candidate, better.champion, { regressionRows: better.rows });
    expect(promote).toMatchObject({ outcome: 'promote', passed: true, metric });
    expect(promote.comparison!.test).toMatch(/paired bootstrap/);
    const worse = pair(1000, 5, 3);
    const reject = await decideGate(policy({ metric }), worse.candidate, worse.champion, { regressionRows: worse.rows });
    expect(reject).toMatchObject({ outcome: 'reject', passed: false });
  });

  it('keeps the champion when two equally good regressors differ by noise', async () => {
    const equal = pair(300, 4, 4, 9);
    const decision = await decideGate(policy(), equal.candidate, equal.champion, { regressionRows: equal.rows });
    expect(decision.outcome).toBe('inconclusive');
    expect(decision.passed).toBe(false);
    expect(decision.reason).toMatch(/^rmse \d+\.\d{4} vs champion \d+\.\d{4}: /);
  });

  it('reads a floor in the direction of the metric: an error above it fails, an r2 below it fails', async () => {
    const { candidate, rows } = pair(200, 5, 5);
    const rmse = await decideGate(policy({ floor: 4 }), candidate, undefined, { regressionRows: rows });
    expect(rmse).toMatchObject({ passed: false, outcome: 'reject' });
    expect(rmse.reason).toMatch(/^rmse \d+\.\d{4} > floor 4\.0000$/);
    const r2 = await decideGate(policy({ metric: 'r2', floor: 0.9 }), candidate, undefined);
    expect(r2.reason).toMatch(/^r2 0\.\d{4} < floor 0\.9000$/);
    // No floor by default for errors; r2 must beat predicting the mean (0).
    expect((await decideGate(policy(), candidate, undefined)).passed).toBe(true);
    expect((await decideGate(policy({ metric: 'r2' }), { r2: -0.2 }, undefined)).reason).toBe('r2 -0.2000 < floor 0.0000');
  });

  it('compares on the floor only when mape is undefined on the held-out rows (a target of 0)', async () => {
    const rows = { truth: [0, 1, 2, 3], candidate: [0.1, 1, 2, 3], champion: [0.5, 1.5, 2, 3] };
    const decision = await decideGate(policy({ metric: 'mape' }), { mape: 0.1 }, { mape: 0.2 }, { regressionRows: rows });
    expect(decision).toMatchObject({ passed: true, outcome: 'promote' });
    expect(decision.reason).toContain('mape is undefined where a held-out target is 0, so only the floor applies');
  });
});
