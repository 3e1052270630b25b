import { ConcurrencyError, ensureError } from '../errors';
import { parseOutgoingEvent, type EventEnvelope } from '../events/outgoing';
import type { OutgoingEvent, Versioned } from '../ports';
import type { EngineDeps } from './context';
import { restoreStable, type RestoreStableDeps } from './releaseControl';
import type { EngineRecords } from './engineRecords';
import { hasOutbox, isSameStep } from './outbox';
import type { Release, StepMessage } from './types';

export type OutboxDeps = Pick<EngineDeps, 'events' | 'steps' | 'logger'> & RestoreStableDeps;

/** Tries to clear an outbox after a lost race; past this, the next flush (all idempotent) clears it. */
const CLEAR_ATTEMPTS = 3;

/**
 * Performs a release record's outbox, then clears it. Every effect is idempotent: events
 * carry stable ids, audit rows deterministic keys, a step message sent twice is a no-op the
 * second time and a freed slot stays free, so a flush repeated after a crash or a failure
 * halfway (which throws: the caller's retry, a redelivery or the sweeper, flushes again)
 * does each effect once. Returns the release as it stands after.
 */
export async function flushOutbox(
  engine: EngineRecords,
  deps: OutboxDeps,
  row: Versioned<Release>,
  except?: StepMessage,
): Promise<Release> {
  const release = row.value;
  if (!hasOutbox(release)) return release;
  const { outbox } = release;
  if (outbox.restoreStable) await restoreStable(deps, release);
  for (const { key, entry } of outbox.audit) await engine.repo.audit({ ...entry, pipeline: entry.pipeline ?? release.pipeline }, key);
  const events = checkedEvents(release.id, outbox.events, deps);
  if (events.length > 0) await deps.events.publish(events);
  for (const step of outbox.steps) {
    // The caller is handling this very message: sending it again would only double it.
    if (except && isSameStep(step.message, except)) continue;
    await deps.steps.send(step.message, step.delaySeconds === undefined ? undefined : { delaySeconds: step.delaySeconds });
  }
  if (outbox.releaseSlot) await engine.releaseSlot(release.pipeline, release.id);
  return clearOutbox(engine, deps, row, outbox.id);
}

/** Removes the flushed outbox, and only it: one written since (a newer id) stays for its own flush. */
async function clearOutbox(engine: EngineRecords, deps: OutboxDeps, row: Versioned<Release>, id: string): Promise<Release> {
  let current = row;
  try {
    for (let attempt = 0; attempt < CLEAR_ATTEMPTS; attempt++) {
      try {
        return (await engine.repo.replace({ ...current.value, outbox: undefined }, current.etag)).value;
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
      const fresh = await engine.repo.get(current.value.id);
      if (!fresh || fresh.value.outbox?.id !== id) return fresh?.value ?? { ...current.value, outbox: undefined };
      current = fresh;
    }
  } catch (error) {
    // The effects are done; a lost clear only means the next flush repeats them harmlessly.
    deps.logger.warn(
      `release ${row.value.id}: could not clear its outbox (${ensureError(error).message}); the next flush repeats its effects`,
    );
  }
  return { ...current.value, outbox: undefined };
}

/**
 * The outbox's events that fit the event map. They were built by typed producers, so a misfit
 * comes only from a record written by another version of the app: it is logged and left out
 * rather than holding up the release (every retry would fail the same way).
 */
function checkedEvents(releaseId: string, envelopes: readonly EventEnvelope[], deps: OutboxDeps): OutgoingEvent[] {
  const events: OutgoingEvent[] = [];
  for (const envelope of envelopes) {
    const parsed = parseOutgoingEvent(envelope);
    if (parsed.ok) events.push(parsed.event);
    else
      deps.logger.error(`release ${releaseId}: outbox event ${envelope.id} not published: ${parsed.problem}`, {
        eventId: envelope.id,
        eventType: envelope.type,
      });
  }
  return events;
}
