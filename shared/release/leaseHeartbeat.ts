import { ConcurrencyError, ensureError } from '../errors';
import type { Clock, Logger, Versioned } from '../ports';
import type { Timers } from './context';
import type { ReleaseRepository } from './repository';
import { addSeconds, isHeldBy } from './transitions';
import type { Release, Stage } from './types';

export interface LeaseHeartbeatDeps {
  repo: ReleaseRepository;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  leaseSeconds: number;
}

/**
 * Keeps the lease of a stage that one invocation holds fresh while it runs, so the
 * sweeper never re-drives a stage that is alive. Every beat is an ETag-guarded write that
 * changes only `leaseExpiresAt`. When the write conflicts, the record is read again: if
 * the release was cancelled, ended, moved on or taken over, `signal` fires so the stage
 * stops its work; if someone else merely changed other fields, the lease is renewed on
 * the new version and `foreign` is set (the run's outcome must then not overwrite it).
 */
export class LeaseHeartbeat {
  private readonly controller = new AbortController();
  private cancelTimer: (() => void) | undefined;
  private beating: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Someone other than this invocation wrote the record while it ran. */
  foreign = false;

  constructor(
    private readonly deps: LeaseHeartbeatDeps,
    private readonly stage: Stage,
    private readonly holder: string,
    private row: Versioned<Release>,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The record as of this invocation's last write (its ETag guards the outcome's write). */
  get latest(): Versioned<Release> {
    return this.row;
  }

  start(): void {
    // A third of the lease: two beats may fail (a storage hiccup) before it runs out.
    const ms = (this.deps.leaseSeconds * 1000) / 3;
    this.cancelTimer = this.deps.timers.every(ms, () => this.beat());
  }

  /** Renews the lease once; beats never overlap. Resolves when this beat is written. */
  beat(): Promise<void> {
    this.beating = this.beating.then(() => this.renew());
    return this.beating;
  }

  /** Stops beating and waits for a beat in flight, so the outcome's write sees the last ETag. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    await this.beating;
  }

  private async renew(): Promise<void> {
    if (this.stopped || this.signal.aborted) return;
    try {
      await this.extend(this.row);
    } catch (thrown) {
      const error = ensureError(thrown);
      if (!(error instanceof ConcurrencyError)) {
        // The next beat tries again; the lease outlives two missed beats.
        this.deps.logger.warn(`lease heartbeat of ${this.row.value.id} failed (will retry): ${error.message}`);
        return;
      }
      await this.reread().catch((e: unknown) =>
        this.deps.logger.warn(`lease heartbeat of ${this.row.value.id} could not re-read: ${ensureError(e).message}`),
      );
    }
  }

  private async reread(): Promise<void> {
    const id = this.row.value.id;
    const fresh = await this.deps.repo.get(id);
    if (!fresh || !isHeldBy(fresh.value, this.stage, this.holder)) {
      const why = !fresh
        ? 'the release is gone'
        : fresh.value.status !== 'running'
          ? `the release is ${fresh.value.status}`
          : 'another invocation took the stage over';
      this.deps.logger.info(`release ${id}: stopping ${this.stage} (${why})`, { releaseId: id, stage: this.stage });
      this.controller.abort(new StageAbandonedError(id, this.stage, why));
      if (fresh) this.row = fresh;
      return;
    }
    this.foreign = true;
    await this.extend(fresh);
  }

  private async extend(row: Versioned<Release>): Promise<void> {
    const leaseExpiresAt = addSeconds(this.deps.clock.now(), this.deps.leaseSeconds);
    this.row = await this.deps.repo.replace({ ...row.value, leaseExpiresAt }, row.etag);
  }
}

/** The reason a stage's signal fires: the release no longer needs this run. */
export class StageAbandonedError extends Error {
  constructor(
    readonly releaseId: string,
    readonly stage: Stage,
    readonly why: string,
  ) {
    super(`${stage} of ${releaseId} stopped: ${why}`);
    this.name = 'StageAbandonedError';
  }
}
