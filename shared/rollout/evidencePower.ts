import { logMeanExp } from './likelihoodRatio';
import { normalCdf, normalQuantile } from './normal';
import type { CanaryAnalysisState, MetricState } from './types';

// Math's functions as module constants: under Jest's vm sandbox every `Math.` lookup goes
// through the sandbox's global object and made long simulations ~5x slower.
const { log, sqrt, min, max } = Math;

export const mixtureLogLR = (metric: MetricState): number => logMeanExp(metric.logLR);
export const rejectionThreshold = (metric: MetricState): number => log(1 / metric.alpha);

export interface PowerEstimate {
  /** Estimated probability of having caught the minimum detectable regression by now (worst direction). */
  power: number;
  sufficient: boolean;
  /** Factor by which the evidence so far must grow for `sufficient` (1 when it is); Infinity without data. */
  growthNeeded: number;
}

/**
 * Would a materially bad canary have been caught on the traffic seen so far?
 *
 * Counterfactual: the same requests, the stable at its observed rate p0, the canary at
 * p1 = max(risk·p0, rateFloor) (and, for classes, also p0/risk). With Poisson counts, the
 * log LR of grid point j is then normal-ish with
 *   mean_j = p1·Σ n_c·a_j + p0·Σ n_s·b_j,   var_j = p1·Σ n_c·a_j² + p0·Σ n_s·b_j²,
 * sums the state keeps per grid point. The mixture is at least LR_j / J, so it crosses
 * log(1/α) once LR_j crosses log(J/α); power ≥ max_j Φ((mean_j − log(J/α)) / sd_j).
 * A lower bound twice over: one grid point instead of the mixture, and a crossing at the
 * end instead of at any look. The alternative uses the stable arm only, so it is the same
 * whether the canary is good or bad.
 */
export function evidencePower(state: CanaryAnalysisState, metric: MetricState): PowerEstimate {
  const { risk, rateFloor } = state.minDetectable[metric.kind];
  const p0 = metric.stable.requests > 0 ? metric.stable.events / metric.stable.requests : 0;
  const alternatives = [min(1, max(risk * p0, rateFloor))];
  // "Too rarely" matters only for a class common enough that losing part of it is material.
  if (metric.twoSided && p0 >= rateFloor && p0 > 0) alternatives.push(p0 / risk);
  const z = normalQuantile(state.power);
  const barrier = log(metric.risks.length / metric.alpha);
  let power = 1;
  let growthNeeded = 1;
  for (const p1 of alternatives) {
    let best = 0;
    let bestGrowth = Infinity;
    for (let j = 0; j < metric.risks.length; j++) {
      const mean = p1 * metric.canaryDrift[j]! + p0 * metric.stableDrift[j]!;
      const variance = p1 * metric.canarySquare[j]! + p0 * metric.stableSquare[j]!;
      if (!(variance > 0) || !(mean > 0)) continue;
      const sd = sqrt(variance);
      best = max(best, normalCdf((mean - barrier) / sd));
      // Evidence grows ~linearly with traffic at the same split: mean·k − z·sd·√k = barrier.
      const root = (z * sd + sqrt(z * z * variance + 4 * mean * barrier)) / (2 * mean);
      bestGrowth = min(bestGrowth, root * root);
    }
    power = min(power, best);
    growthNeeded = max(growthNeeded, bestGrowth);
  }
  const sufficient = power >= state.power;
  return { power, sufficient, growthNeeded: sufficient ? 1 : growthNeeded };
}
