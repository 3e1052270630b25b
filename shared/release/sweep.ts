import { ensureError } from '../errors';
import type { EngineDeps } from './context';
import type { EngineRecords } from './engineRecords';
import { hasOutbox, stepOf, withOutbox } from './outbox';
import { isLeaseExpired, redriveRelease } from './transitions';

export interface SweepResult {
  redriven: string[];
  admitted: string[];
  /** Releases whose pending outbox (effects a failure left undone) this sweep finished. */
  flushed: string[];
}

/**
 * Finds work that a crash or a lost message left behind: outboxes whose effects did not
 * all happen are finished; running releases whose lease expired are re-driven; queued
 * releases are (re-)admitted.
 */
export async function sweepReleases(
  engine: EngineRecords,
  deps: Pick<EngineDeps, 'clock' | 'logger'>,
  leaseSeconds: number,
): Promise<SweepResult> {
  const now = deps.clock.now();
  const result: SweepResult = { redriven: [], admitted: [], flushed: [] };
  // Records that do not parse are skipped (the repository logs each once) until `autopilot repair`.
  for (const release of await engine.repo.list()) {
    if (hasOutbox(release) && (await flushPending(engine, deps, release.id))) result.flushed.push(release.id);
    if (isLeaseExpired(release, now)) {
      const renewed = await engine.commit(release.id, (r) => {
        // A running stage's heartbeat keeps its lease fresh, so only a dead run gets here.
        if (!isLeaseExpired(r, now)) return undefined;
        const next = redriveRelease(r, now, leaseSeconds);
        return withOutbox(next, { steps: [{ message: stepOf(next, 'redrive') }] });
      });
      if (renewed) result.redriven.push(renewed.id);
    } else if (release.status === 'queued') {
      await engine.admit(release);
      result.admitted.push(release.id);
    }
  }
  return result;
}

/** Finishes a pending outbox; a failure is logged and left for the next sweep. */
async function flushPending(engine: EngineRecords, deps: Pick<EngineDeps, 'logger'>, id: string): Promise<boolean> {
  try {
    const row = await engine.repo.get(id);
    if (!row || !hasOutbox(row.value)) return false;
    await engine.flush(row);
    return true;
  } catch (error) {
    deps.logger.warn(`release ${id}: its pending effects failed again (${ensureError(error).message}); the next sweep retries`, {
      releaseId: id,
    });
    return false;
  }
}
