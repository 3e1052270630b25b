import { createCanaryAnalysis } from '../shared/rollout';
import { minuteGrainObserver, summariseCanaries, type CanarySummary, type SimulateCanaryOptions } from '../shared/rollout/simulate';
import { BAD_CANARY_ERROR_RATE, FLAGGER_DEFAULTS, OUR_POLICY, STABLE_ERROR_RATE } from './canarySimulation';

/**
 * Monitor publication delays to report. Microsoft documents platform metrics as "available in
 * under a minute in the metrics database" (plus about three more minutes when exported through
 * diagnostic settings, which the adapter does not use): Log data ingestion time in Azure Monitor,
 * https://learn.microsoft.com/azure/azure-monitor/logs/data-ingestion-time#azure-metrics-resource-logs-activity-logs
 * Pollers that read the metrics API wait longer for late aggregation: Dynatrace reads each
 * 5-minute window with a 5-minute delay because "Azure Monitor takes few minutes (late
 * aggregations) to make the latest data-points available"
 * (https://docs.dynatrace.com/docs/ingest-from/microsoft-azure-services/ingest-telemetry/azure-monitor-metrics-pp).
 * 0 isolates the cost of the minute grain; 60 and 180 s bracket what a careful adapter waits.
 */
export const MONITOR_DELAYS_SECONDS = [0, 60, 180] as const;
export const RATES = [10, 100] as const;
/** The adapter as written, simulated this long: the analysis it feeds never decides. */
const AS_WRITTEN = { delaySeconds: 60, maxSeconds: 1_800, runs: 20 };

export type Observation = { kind: 'per-request' } | { kind: 'minute'; delaySeconds: number } | { kind: 'flagger' };

export interface MinuteGrainRow {
  rps: number;
  observation: Observation;
  summary: CanarySummary;
}

export interface CanaryMinuteGrainBench {
  runs: number;
  /** Bad canary: per-request counts, Monitor minutes at each delay, and Flagger's defaults (section 4's line). */
  bad: MinuteGrainRow[];
  /** Equal canary (no regression) on Monitor minutes: false rollbacks. */
  equal: MinuteGrainRow[];
  /** Bad canary on minutes read the moment they end, before Monitor has published them (endpointTraffic today). */
  asWritten: MinuteGrainRow[];
  asWrittenSettings: typeof AS_WRITTEN;
  alpha: number;
  cpuSeconds: number;
}

/**
 * Section 8: section 4's bad canary (same policy, same seeds 1..runs, so the same Poisson
 * traffic) analysed on what each backend reports: the local router's per-request counts at
 * every look, or Azure Monitor's complete minutes after a publication delay. Pure CPU.
 */
export function benchCanaryMinuteGrain(runs = 200): CanaryMinuteGrainBench {
  const started = process.cpuUsage();
  const base = { stableErrorRate: STABLE_ERROR_RATE, seed: 1, ...OUR_POLICY, fixedThreshold: FLAGGER_DEFAULTS };
  const run = (
    rps: number,
    observation: Observation,
    canaryErrorRate: number,
    extra: Partial<SimulateCanaryOptions> = {},
    n = runs,
  ): MinuteGrainRow => {
    const options: Omit<SimulateCanaryOptions, 'seed'> = {
      ...base,
      rps,
      canaryErrorRate,
      analysis: observation.kind === 'flagger' ? 'fixed-threshold' : 'sequential',
      ...(observation.kind === 'minute' ? { observation: minuteGrainObserver(observation.delaySeconds) } : {}),
      ...extra,
    };
    return { rps, observation, summary: summariseCanaries(options, n) };
  };
  const minutes = MONITOR_DELAYS_SECONDS.map((delaySeconds) => ({ kind: 'minute', delaySeconds }) as const);
  const bad = RATES.flatMap((rps) =>
    [{ kind: 'per-request' } as const, ...minutes, { kind: 'flagger' } as const].map((o) => run(rps, o, BAD_CANARY_ERROR_RATE)),
  );
  const equal = RATES.flatMap((rps) => minutes.map((o) => run(rps, o, STABLE_ERROR_RATE)));
  const asWritten = RATES.map((rps) =>
    run(
      rps,
      { kind: 'minute', delaySeconds: AS_WRITTEN.delaySeconds },
      BAD_CANARY_ERROR_RATE,
      {
        maxSeconds: AS_WRITTEN.maxSeconds,
        observation: minuteGrainObserver(AS_WRITTEN.delaySeconds, { waitsForPublication: false }),
      },
      AS_WRITTEN.runs,
    ),
  );
  const used = process.cpuUsage(started);
  return {
    runs,
    bad,
    equal,
    asWritten,
    asWrittenSettings: AS_WRITTEN,
    alpha: createCanaryAnalysis().alpha,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}
