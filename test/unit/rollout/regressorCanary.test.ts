import { predictionBinEdges, predictionBinLabels } from '../../../shared/rollout/predictionBins';
import { regressorShares, simulateCanary } from '../../../shared/rollout/simulate';

// Stable predictions ~ N(100, 15): the bins are cut at their quantiles, as a release cuts them at its baseline's.
const z = { p10: -1.2815515655446004, p25: -0.6744897501960817, p50: 0, p75: 0.6744897501960817, p90: 1.2815515655446004 };
const edges = predictionBinEdges(Object.fromEntries(Object.entries(z).map(([q, v]) => [q, 100 + 15 * v])));
const stable = regressorShares(edges, 100, 15);

function outcomes(canaryMean: number, canarySd: number, seeds: number) {
  const counted = { promoted: 0, rolled_back: 0, undecided: 0 };
  for (let seed = 1; seed <= seeds; seed++) {
    const run = simulateCanary({
      rps: 20,
      stableErrorRate: 0.001,
      canaryErrorRate: 0.001,
      seed,
      analysis: 'sequential',
      stableProfile: { classShares: stable },
      canaryProfile: { classShares: regressorShares(edges, canaryMean, canarySd) },
      analysisOptions: { classes: predictionBinLabels(edges) },
    });
    counted[run.outcome]!++;
  }
  return counted;
}

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
