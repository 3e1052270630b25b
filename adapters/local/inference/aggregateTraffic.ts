import type { DeploymentTraffic } from '../../../shared/ports';
import type { Observation } from './observationRing';

/** Longest prediction key kept: class labels are short; this bounds memory for odd outputs. */
export const MAX_PREDICTION_KEY = 64;

/**
 * The key a prediction is counted under: primitives as `String(value)` (so class `1` and
 * label `"cat"` read `1` and `cat`), anything else as JSON; cut at MAX_PREDICTION_KEY chars.
 */
export function predictionKey(value: unknown): string {
  const text = value === null || typeof value !== 'object' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_PREDICTION_KEY ? text.slice(0, MAX_PREDICTION_KEY) : text;
}

/** 5xx answers, including the router's own 502 (unreachable) and 504 (timeout). */
export function isErrorStatus(status: number): boolean {
  return status >= 500 || status === 0;
}

/**
 * Folds one deployment's observations into the counts canary analysis works on. Mirrored
 * copies must already be left out: they are not traffic of the deployment.
 */
export function aggregateTraffic(observations: readonly Observation[], slowThresholdsMs: readonly number[]): DeploymentTraffic {
  const traffic: DeploymentTraffic = { requests: 0, errors: 0, slowerThan: slowThresholdsMs.map(() => 0), predictions: {}, synthetic: 0 };
  const latencies: number[] = [];
  for (const observation of observations) {
    traffic.requests++;
    if (observation.synthetic) traffic.synthetic++;
    latencies.push(observation.latencyMs);
    slowThresholdsMs.forEach((threshold, i) => {
      if (observation.latencyMs > threshold) traffic.slowerThan[i]!++;
    });
    // A malformed answer fails the caller as surely as a 500 does.
    if (isErrorStatus(observation.status) || observation.malformed) traffic.errors++;
    else if (observation.status >= 200 && observation.status < 300 && observation.firstPrediction !== undefined) {
      traffic.predictions[observation.firstPrediction] = (traffic.predictions[observation.firstPrediction] ?? 0) + 1;
    }
  }
  if (latencies.length > 0) {
    latencies.sort((a, b) => a - b);
    traffic.latencyP50Ms = nearestRank(latencies, 0.5);
    traffic.latencyP99Ms = nearestRank(latencies, 0.99);
  }
  return traffic;
}

/** Nearest-rank percentile of sorted values (an observed latency, never an interpolation). */
export function nearestRank(sorted: readonly number[], quantile: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1))]!;
}
