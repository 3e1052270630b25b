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
 * Latencies are kept for the last LATENCY_WINDOW requests rather than as an all-time
 * reservoir: canary analysis compares deployments *now*, and old samples would hide a regression.
 */
export const LATENCY_WINDOW = 2048;

export class DeploymentMetricsRecorder {
  private requests = 0;
  private errors = 0;
  private mirrored = 0;
  private readonly statuses: Record<string, number> = {};
  private readonly latencies: number[] = [];
  private next = 0;

  record(status: number, latencyMs: number, mirrored: boolean): void {
    this.requests++;
    if (status >= 500) this.errors++;
    if (mirrored) this.mirrored++;
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if (this.latencies.length < LATENCY_WINDOW) this.latencies.push(latencyMs);
    else this.latencies[this.next] = latencyMs;
    this.next = (this.next + 1) % LATENCY_WINDOW;
  }

  snapshot(): DeploymentMetrics {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    const latencyMs: DeploymentMetrics['latencyMs'] = { samples: sorted.length };
    if (sorted.length > 0) {
      latencyMs.p50 = at(0.5);
      latencyMs.p99 = at(0.99);
    }
    return { requests: this.requests, errors: this.errors, mirrored: this.mirrored, statuses: { ...this.statuses }, latencyMs };
  }
}
