import type { Versioned } from '../ports';
import type { ReleaseRepository } from './repository';
import type { Release, StepMessage } from './types';

/**
 * What the engine's helpers (./sweep.ts, ./outboxFlush.ts, ./releaseControl.ts) use of `ReleaseEngine`: its record
 * store and its commit/admit/flush steps. Declared apart from ./engine.ts, which imports those helpers, so
 * they depend on this interface and not on the engine (an import cycle otherwise).
 */
export interface EngineRecords {
  readonly repo: ReleaseRepository;
  /** Changes one release (optimistic concurrency) and flushes its outbox unless deferred. */
  commit(id: string, change: (release: Release) => Release | undefined, options?: { deferFlush?: boolean }): Promise<Release | undefined>;
  /** Puts a queued release into its pipeline's slot, or in line behind the active one. Idempotent. */
  admit(release: Release): Promise<void>;
  /** Sends what a release's outbox holds (events, steps, audit) and clears it. */
  flush(row: Versioned<Release>, options?: { defer?: boolean; except?: StepMessage }): Promise<Release>;
  /** Called when a release ended: frees its slot and starts the next waiting one. */
  releaseSlot(pipeline: string, id: string): Promise<void>;
  cancel(id: string, actor: string, why: string, options?: { freeSlot?: boolean; restoreStable?: boolean }): Promise<Release | undefined>;
}
