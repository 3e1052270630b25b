import { BadRequestError } from '../errors';

export interface LatencyThresholds {
  p50Ms: number;
  p99Ms: number;
}

/**
 * The thresholds latency is counted against: the stable's p50 and p99 from a window of its
 * own latencies. Estimate them from traffic that is not then analysed (e.g. the stable's
 * minutes before the canary starts): the test stays valid for any fixed threshold, since
 * under H0 both arms exceed it at the same rate; a poor estimate only costs power.
 * Quantiles are the nearest-rank ones (no interpolation), as a router's histogram gives.
 */
export function latencyThresholds(stableLatenciesMs: readonly number[]): LatencyThresholds {
  const sorted = stableLatenciesMs.filter((v) => Number.isFinite(v) && v >= 0).sort((a, b) => a - b);
  if (sorted.length === 0) {
    throw new BadRequestError('no finite latencies >= 0 to estimate the stable\'s p50/p99 from; send traffic to the stable first', 'stableLatenciesMs');
  }
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { p50Ms: rank(0.5), p99Ms: rank(0.99) };
}
