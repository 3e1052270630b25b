/** Request counters of one deployment as the router saw them (cumulative since the host started). */
export interface DeploymentMetrics {
  /** Requests answered, including mirrored copies. */
  requests: number;
  /** Answers with a 5xx status (the router's own 502/504 included). */
  errors: number;
  /** Of `requests`, the mirrored copies (responses discarded). */
  mirrored: number;
  /** Count per HTTP status. */
  statuses: Record<string, number>;
  /** Latency percentiles over the most recent requests (see LATENCY_WINDOW); undefined before any. */
  latencyMs: { p50?: number; p99?: number; samples: number };
}

/**
 * Latencies are taken from the last LATENCY_WINDOW requests rather than all time: a
 * dashboard compares deployments *now*, and old samples would hide a regression.
 */
export const LATENCY_WINDOW = 2048;

/** All-time counters of one deployment; latencies come from its observation ring. */
export class DeploymentCounters {
  requests = 0;
  errors = 0;
  mirrored = 0;
  readonly statuses: Record<string, number> = {};
}
