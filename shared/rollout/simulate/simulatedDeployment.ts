import type { DeploymentCounts } from '../types';
import { normalCdf } from '../normal';
import { sampleBinomial, sampleMultinomial, type Rng } from './sampling';

// Module constants, not global lookups: under Jest's vm sandbox each global access is slow
// enough to dominate long simulations.
const { log, max } = Math;
const { keys } = Object;

/** How one deployment behaves, per request. */
export interface SimulatedDeployment {
  errorRate: number;
  /** P(latency > stable p50), P(latency > stable p99). */
  slowRates: [number, number];
  /** Class -> share of successful predictions. */
  classShares: Record<string, number>;
}

/** Stable latencies are log-normal with this spread (p99/p50 ≈ 3.2), a typical scoring server. */
const LOG_SIGMA = 0.5;
const Z99 = 2.3263478740408408;

/**
 * Exceedance rates of the stable's p50 and p99 for a deployment whose log-normal latencies are
 * `factor` times the stable's (factor 1: exactly [0.5, 0.01]).
 */
export function slowRatesFor(factor: number): [number, number] {
  const shift = log(factor) / LOG_SIGMA;
  return [normalCdf(shift), 1 - normalCdf(Z99 - shift)];
}

export function simulatedDeployment(overrides: Partial<SimulatedDeployment> = {}): SimulatedDeployment {
  return { errorRate: 0.001, slowRates: slowRatesFor(1), classShares: { '0': 0.7, '1': 0.3 }, ...overrides };
}

/** One arm's counts for `requests` requests: errors, nested exceedances, classes of the successes. */
export function sampleDeploymentCounts(rng: Rng, requests: number, profile: SimulatedDeployment): DeploymentCounts {
  const errors = sampleBinomial(rng, requests, profile.errorRate);
  const [p50, p99] = profile.slowRates;
  const above99 = sampleBinomial(rng, requests, p99);
  const above50 = above99 + sampleBinomial(rng, requests - above99, p99 < 1 ? max(0, (p50 - p99) / (1 - p99)) : 0);
  const classes = keys(profile.classShares);
  const counts = sampleMultinomial(
    rng,
    requests - errors,
    classes.map((c) => profile.classShares[c]!),
  );
  const predictions: Record<string, number> = {};
  classes.forEach((c, i) => (predictions[c] = counts[i]!));
  return { requests, errors, slowerThan: [above50, above99], predictions };
}
