import { simulateCanary, type SimulateCanaryOptions, type SimulatedCanary } from './simulateCanary';

export interface CanarySummary {
  runs: number;
  /** Share of runs per outcome. */
  rolledBack: number;
  promoted: number;
  undecided: number;
  /** Medians over all runs (decided or not). */
  medianSecondsToDecision: number;
  medianRequestsToCanary: number;
  medianBadCanaryRequests: number;
  medianShareServedByCanary: number;
  /** 90th percentiles over all runs (linear between closest ranks), for the spread. */
  p90SecondsToDecision: number;
  p90BadCanaryRequests: number;
}

/** Runs `runs` canaries with seeds seed, seed+1, … and summarises them (the benchmark's figures). */
export function summariseCanaries(options: Omit<SimulateCanaryOptions, 'seed'> & { seed?: number }, runs: number): CanarySummary {
  const results: SimulatedCanary[] = [];
  for (let i = 0; i < runs; i++) results.push(simulateCanary({ ...options, seed: (options.seed ?? 1) + i }));
  const share = (outcome: SimulatedCanary['outcome']) => results.filter((r) => r.outcome === outcome).length / runs;
  const median = (pick: (r: SimulatedCanary) => number) => {
    const values = results.map(pick).sort((a, b) => a - b);
    const mid = values.length >> 1;
    return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  };
  const p90 = (pick: (r: SimulatedCanary) => number) => {
    const values = results.map(pick).sort((a, b) => a - b);
    const rank = 0.9 * (values.length - 1);
    const low = Math.floor(rank);
    return values[low]! + (values[Math.ceil(rank)]! - values[low]!) * (rank - low);
  };
  return {
    runs,
    rolledBack: share('rolled_back'),
    promoted: share('promoted'),
    undecided: share('undecided'),
    medianSecondsToDecision: median((r) => r.secondsToDecision),
    medianRequestsToCanary: median((r) => r.requestsToCanary),
    medianBadCanaryRequests: median((r) => r.badCanaryRequests),
    medianShareServedByCanary: median((r) => r.shareServedByCanary),
    p90SecondsToDecision: p90((r) => r.secondsToDecision),
    p90BadCanaryRequests: p90((r) => r.badCanaryRequests),
  };
}
