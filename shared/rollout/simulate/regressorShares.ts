import { normalCdf } from '../normal';
import { predictionBinLabels } from '../predictionBins';
import { simulateCanary } from './simulateCanary';

/**
 * The share of a regressor's predictions in each canary bin (predictionBins.ts) when they are
 * normal with this mean and spread: how the simulator plays a regressor, whose bins then act as
 * a classifier's classes (equal, biased by a shift of the mean, noisier by a wider spread).
 */
export function regressorShares(edges: readonly number[], mean: number, sd: number): Record<string, number> {
  const cdf = edges.map((edge) => normalCdf((edge - mean) / sd));
  const shares = [cdf[0]!, ...cdf.slice(1).map((c, i) => c - cdf[i]!), 1 - cdf[cdf.length - 1]!];
  return Object.fromEntries(predictionBinLabels(edges).map((label, i) => [label, shares[i]!]));
}

export interface SimulatedRegressorCanaries {
  promoted: number;
  rolled_back: number;
  undecided: number;
  /** Simulated seconds to each decision, sorted. */
  seconds: number[];
}

/**
 * `runs` seeded canaries of a regressor whose predictions are N(mean, sd) against a stable's
 * N(stableMean, stableSd), binned at `edges`: Poisson traffic at 20 requests/s, the default steps
 * and analysis. Shared by bench §17b and the unit test.
 */
export function simulateRegressorCanaries(
  edges: readonly number[],
  stable: { mean: number; sd: number },
  canary: { mean: number; sd: number },
  runs: number,
): SimulatedRegressorCanaries {
  const out: SimulatedRegressorCanaries = { promoted: 0, rolled_back: 0, undecided: 0, seconds: [] };
  for (let seed = 1; seed <= runs; seed++) {
    const run = simulateCanary({
      rps: 20,
      stableErrorRate: 0.001,
      canaryErrorRate: 0.001,
      seed,
      analysis: 'sequential',
      stableProfile: { classShares: regressorShares(edges, stable.mean, stable.sd) },
      canaryProfile: { classShares: regressorShares(edges, canary.mean, canary.sd) },
      analysisOptions: { classes: predictionBinLabels(edges) },
    });
    out[run.outcome]++;
    out.seconds.push(run.secondsToDecision);
  }
  out.seconds.sort((a, b) => a - b);
  return out;
}
