import type { LoadSettings } from './loadSettings';

/** Requests of one load in flight at most; further ticks are skipped (and counted) rather than queued. */
export const MAX_IN_FLIGHT = 16;
/** Shortest pause between ticks: at high rates several requests go out per tick instead of one timer each. */
const MIN_TICK_MS = 5;

/**
 * Sends one synthetic request to an endpoint, aimed at `deployment` when given; resolves
 * with the status (0: no HTTP answer) and the deployment that answered.
 */
export type SendLoadRequest = (endpoint: string, deployment: string | undefined, body: string) => Promise<{ status: number; deployment?: string | undefined }>;

export interface LoadStatus {
  id: string;
  endpoint: string;
  deployments: string[];
  requestsPerSecond: number;
  until: string;
  running: boolean;
  sent: number;
  /** Answers per deployment that gave them (the router names it even for its own 502/504). */
  answeredBy: Record<string, number>;
  completed: number;
  /** Answers that were 5xx or none at all. */
  errors: number;
  /** Due requests not sent because MAX_IN_FLIGHT were still waiting for answers. */
  skipped: number;
  inFlight: number;
}

/**
 * One replay loop: rows one per request, cycling, round-robin across the named deployments
 * (none named: routed by the endpoint's traffic weights), at a steady rate. The number of requests due is computed from the clock (not by counting
 * timer ticks), so late timers catch up and the rate does not drift.
 */
export class SyntheticLoad {
  private timer: NodeJS.Timeout | undefined;
  private origin = 0;
  /** Requests due since `origin`, sent or skipped. */
  private issued = 0;
  private next = 0;
  private sent = 0;
  private readonly answeredBy: Record<string, number> = {};
  private completed = 0;
  private errors = 0;
  private skipped = 0;
  private inFlight = 0;

  constructor(
    private settings: LoadSettings,
    private readonly send: SendLoadRequest,
    private readonly now: () => number = Date.now,
  ) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Starts the loop, or applies new settings to the running one (the rate restarts from now). */
  start(settings: LoadSettings = this.settings): void {
    this.settings = settings;
    this.origin = this.now();
    this.issued = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.tick();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  status(): LoadStatus {
    const { id, endpoint, deployments, requestsPerSecond, untilMs } = this.settings;
    return {
      id,
      endpoint,
      deployments: [...deployments],
      requestsPerSecond,
      until: new Date(untilMs).toISOString(),
      running: this.running,
      sent: this.sent,
      answeredBy: { ...this.answeredBy },
      completed: this.completed,
      errors: this.errors,
      skipped: this.skipped,
      inFlight: this.inFlight,
    };
  }

  private tick(): void {
    const now = this.now();
    const { requestsPerSecond: rps, untilMs } = this.settings;
    if (now >= untilMs) return this.stop();
    // The first request goes out at once, then one every 1/rps seconds after `origin`.
    const due = Math.floor(((now - this.origin) * rps) / 1000) + 1 - this.issued;
    for (let i = 0; i < due; i++) {
      this.issued++;
      if (this.inFlight >= MAX_IN_FLIGHT) this.skipped++;
      else this.fire();
    }
    const nextDueAt = this.origin + (this.issued * 1000) / rps;
    const delay = Math.max(MIN_TICK_MS, Math.min(nextDueAt, untilMs) - now);
    this.timer = setTimeout(() => this.tick(), delay);
    // A load never keeps a process alive on its own.
    this.timer.unref();
  }

  private fire(): void {
    const { endpoint, deployments, request } = this.settings;
    const rows = request.input_data.data;
    const n = this.next++;
    const deployment = deployments.length > 0 ? deployments[n % deployments.length] : undefined;
    const body = JSON.stringify({ input_data: { columns: request.input_data.columns, data: [rows[n % rows.length]] } });
    this.sent++;
    this.inFlight++;
    void this.send(endpoint, deployment, body).then(({ status, deployment: answered }) => {
      this.inFlight--;
      this.completed++;
      if (status === 0 || status >= 500) this.errors++;
      if (answered) this.answeredBy[answered] = (this.answeredBy[answered] ?? 0) + 1;
    });
  }
}
