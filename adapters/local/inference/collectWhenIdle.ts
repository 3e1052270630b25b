import { cpus } from 'node:os';
import type { ExchangeGroup } from './exchangeBatch';

/** The share of the machine's CPU time that was idle since the last call (all cores), 0 to 1. */
export type IdleShareProbe = () => number;

export interface CollectWhenIdleOptions {
  /**
   * Held exchanges are handed on once at least this share of the CPUs was idle over a probe
   * interval. Half: one caller sending request after request keeps about one core of two busy
   * (caller, router, scoring server in turn); at a quarter the collection ran beside it and
   * added ~15 % to the router's added latency (bench §6). @default 0.5
   */
  idleShare?: number;
  /** How often the CPUs are looked at while exchanges are held. @default 100 */
  probeIntervalMs?: number;
  /** Exchanges are never held longer than this, busy or not. @default 5000 */
  maxHoldMs?: number;
  /** Nor more than this many. @default 20000 */
  maxHeldExchanges?: number;
  /** Nor more than this many bytes of requests and answers. @default 64 MiB */
  maxHeldBytes?: number;
  probe?: IdleShareProbe;
  now?: () => number;
}

/**
 * Holds the exchanges the router hands back while the machine's CPUs are busy, and hands them
 * to the collector once they are not. Building, writing and summarising inference records costs
 * about as much CPU as routing the request (bench §6); done at once during a burst on 2 cores,
 * it took a quarter of the router's throughput. Collection yields to live traffic instead, for
 * `maxHoldMs` at most: a longer saturation pays the cost as before, and nothing is dropped.
 * A flush (stats, stop) hands on everything at once.
 */
export class CollectWhenIdle {
  private held: ExchangeGroup[] = [];
  private heldExchanges = 0;
  private heldBytes = 0;
  private heldSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private readonly probe: IdleShareProbe;
  private readonly now: () => number;

  constructor(
    /** Must not throw (the InferenceCollector never does). */
    private readonly handOn: (group: ExchangeGroup) => void,
    private readonly options: CollectWhenIdleOptions = {},
  ) {
    this.probe = options.probe ?? cpuIdleShareProbe();
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.heldExchanges;
  }

  hold(groups: readonly ExchangeGroup[]): void {
    if (this.heldExchanges === 0) {
      this.heldSince = this.now();
      this.probe(); // the first interval starts now
    }
    for (const group of groups) {
      this.held.push(group);
      this.heldExchanges += group.requestIds.length;
      this.heldBytes += group.bytes.byteLength;
    }
    const full =
      this.heldExchanges >= (this.options.maxHeldExchanges ?? 20_000) || this.heldBytes >= (this.options.maxHeldBytes ?? 64 * 1024 * 1024);
    if (full) return void this.handOnAll();
    this.timer ??= setInterval(() => this.look(), this.options.probeIntervalMs ?? 100).unref();
  }

  /** Looks at the CPUs: hands everything on when they were idle enough, or it has been held long enough. */
  look(): void {
    const idle = this.probe() >= (this.options.idleShare ?? 0.5);
    if (this.heldExchanges === 0 || idle || this.now() - this.heldSince >= (this.options.maxHoldMs ?? 5000)) void this.handOnAll();
  }

  /**
   * Hands on everything held, a group (one deployment's relay batch) per turn of the event loop,
   * so a long hold does not stall the host for the seconds its records take to build.
   */
  async handOnAll(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    // Until nothing is held: groups may arrive while a drain ends.
    while (this.held.length > 0 || this.draining) {
      // Cleared in a later microtask: a drain that ends at once must not clear it before it is set.
      this.draining ??= this.drain().finally(() => (this.draining = undefined));
      await this.draining;
    }
  }

  private async drain(): Promise<void> {
    for (let group = this.held.shift(); group; group = this.held.shift()) {
      this.heldExchanges -= group.requestIds.length;
      this.heldBytes -= group.bytes.byteLength;
      this.handOn(group);
      if (this.held.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

/** Reads the CPUs' cumulative times (/proc/stat on Linux) at each call. */
export function cpuIdleShareProbe(): IdleShareProbe {
  let last = totals();
  return () => {
    const current = totals();
    const busy = current.busy - last.busy;
    const idle = current.idle - last.idle;
    last = current;
    return busy + idle > 0 ? idle / (busy + idle) : 1;
  };
}

function totals(): { busy: number; idle: number } {
  let busy = 0;
  let idle = 0;
  for (const { times } of cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    idle += times.idle;
  }
  return { busy, idle };
}
