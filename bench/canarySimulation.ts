import { summariseCanaries, type CanarySummary } from '../shared/rollout/simulate';

/** The scenario: stable 0.1 % errors; a bad canary fails 5 % of its requests. */
export const STABLE_ERROR_RATE = 0.001;
export const BAD_CANARY_ERROR_RATE = 0.05;
/** Ours as the default policy runs it; Flagger as its defaults (simulateCanary's own defaults). */
export const OUR_POLICY = { steps: [5, 25, 50, 100], stepSeconds: 10, analysisIntervalSeconds: 5 };
export const FLAGGER_DEFAULTS = { intervalSeconds: 60, threshold: 5, stepWeight: 10, maxWeight: 50 };

export type Analysis = 'sequential' | 'fixed-threshold';

export interface SimulatedRow {
  analysis: Analysis;
  rps: number;
  canaryErrorRate: number;
  summary: CanarySummary;
}

export interface CanarySimulationBench {
  runs: number;
  rows: SimulatedRow[];
  cpuSeconds: number;
}

/**
 * Both analyses on the same seeded Poisson traffic (run i of each uses seed 1 + i), for a
 * bad and a good canary at 10 and 100 requests/s. Pure CPU; a few seconds for 200 runs.
 */
export function benchCanarySimulation(runs = 200): CanarySimulationBench {
  const started = process.cpuUsage();
  const rows: SimulatedRow[] = [];
  for (const canaryErrorRate of [BAD_CANARY_ERROR_RATE, STABLE_ERROR_RATE]) {
    for (const rps of [10, 100]) {
      for (const analysis of ['fixed-threshold', 'sequential'] as const) {
        const summary = summariseCanaries(
          { rps, stableErrorRate: STABLE_ERROR_RATE, canaryErrorRate, analysis, seed: 1, ...OUR_POLICY, fixedThreshold: FLAGGER_DEFAULTS },
          runs,
        );
        rows.push({ analysis, rps, canaryErrorRate, summary });
      }
    }
  }
  const used = process.cpuUsage(started);
  return { runs, rows, cpuSeconds: (used.user + used.system) / 1e6 };
}
