import { predictionBinEdges } from '../../../shared/rollout/predictionBins';
import { simulateRegressorCanaries } from '../../../shared/rollout/simulate';

// Stable predictions ~ N(100, 15): the bins are cut at their quantiles, as a release cuts them at its baseline's.
const z = { p10: -1.2815515655446004, p25: -0.6744897501960817, p50: 0, p75: 0.6744897501960817, p90: 1.2815515655446004 };
const edges = predictionBinEdges(Object.fromEntries(Object.entries(z).map(([q, v]) => [q, 100 + 15 * v])));

const outcomes = (mean: number, sd: number, runs: number) => simulateRegressorCanaries(edges, { mean: 100, sd: 15 }, { mean, sd }, runs);

describe("the canary's prediction check on a regressor (predictions binned, simulated traffic)", () => {
  it('promotes an equal regressor: false rollbacks stay within alpha (0.01)', () => {
    const equal = outcomes(100, 15, 40);
    expect(equal.rolled_back).toBeLessThanOrEqual(2); // P(>= 3 of 40 at 1 %) < 0.01
    expect(equal.promoted + equal.rolled_back).toBe(40);
  });

  it('rolls back a regressor biased by a quarter of a standard deviation, and one 1.5 times noisier', () => {
    // (A bias of 0.1 sd, a retrain's usual difference, is mostly promoted: bench §17b.)
    expect(outcomes(103.75, 15, 20).rolled_back).toBe(20);
    expect(outcomes(100, 22.5, 20).rolled_back).toBe(20);
  });
});
