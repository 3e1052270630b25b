import type { LoadSettings } from './loadSettings';

/** Requests of one load in flight at most; further ticks are skipped (and counted) rather than queued. */
export const MAX_IN_FLIGHT = 16;
/** Shortest pause between ticks: at high rates several requests go out per tick instead of one timer each. */
const MIN_TICK_MS = 5;

/**
 * Sends one synthetic request to an endpoint, aimed at `deployment` when given; resolves
 * with the status (0: no HTTP answer) and the deployment that answered.
 */
export type SendLoadRequest = (
  endpoint: string,
  deployment: string | undefined,
  body: string,
) => Promise<{ status: number; deployment?: string | undefined }>;

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
 * One replay loop at a steady rate. Each request carries a row drawn uniformly at random
 * and goes to a named deployment drawn uniformly at random, independently of the row (none
 * named: the endpoint's traffic weights route it). Round-robin gave the canary the even
 * rows and the stable the odd ones, so equal models were rolled back; with the arm
 * independent of the row, both arms see the same rows in distribution, as the canary
 * analysis assumes (docs/canary-analysis.md, "Synthetic top-up").
 *
 * The requests due are computed from the clock (not by counting timer ticks), so late
 * timers catch up and the rate does not drift: request k is due at origin + k/rps, and
 * exactly those due before `until` are issued.
 */
export class SyntheticLoad {
  private timer: NodeJS.Timeout | undefined;
  private origin = 0;
  /** Requests due since `origin`, sent or skipped. */
  private issued = 0;
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
    /** Uniform draws in [0, 1) for rows and deployments; tests pass a seeded one. */
    private readonly random: () => number = Math.random,
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
    // Request k is due at origin + k·1000/rps: the first at once, none at or after `until`.
    const dueBy = Math.min(Math.floor(((now - this.origin) * rps) / 1000) + 1, Math.ceil(((untilMs - this.origin) * rps) / 1000));
    for (; this.issued < dueBy; this.issued++) {
      if (this.inFlight >= MAX_IN_FLIGHT) this.skipped++;
      else this.fire();
    }
    if (now >= untilMs) return this.stop();
    const nextDueAt = this.origin + (this.issued * 1000) / rps;
    const delay = Math.max(MIN_TICK_MS, Math.min(nextDueAt, untilMs) - now);
    this.timer = setTimeout(() => this.tick(), delay);
    // A load never keeps a process alive on its own.
    this.timer.unref();
  }

  private fire(): void {
    const { endpoint, deployments, request } = this.settings;
    const rows = request.input_data.data;
    const row = rows[pick(this.random, rows.length)];
    const deployment = deployments.length > 0 ? deployments[pick(this.random, deployments.length)] : undefined;
    const body = JSON.stringify({ input_data: { columns: request.input_data.columns, data: [row] } });
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

/** A uniform index below `n` (the min guards a source that returns 1). */
function pick(random: () => number, n: number): number {
  return Math.min(Math.floor(random() * n), n - 1);
}
