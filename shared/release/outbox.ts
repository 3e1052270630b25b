import { createHash } from 'node:crypto';
import type { EventEnvelope } from '../events/outgoing';
import type { OutgoingEvent } from '../ports';
import type { StageOutcome } from './context';
import { releaseEvent, terminalEventName } from './releaseEvents';
import { isTerminal, type AuditEntry, type Outbox, type Release, type StepMessage } from './types';

/**
 * Pure builders of a release's transactional outbox: what must follow a write (audit
 * entry, events, step messages, freeing the slot) is stored in the same write, so a
 * crash or a failing event log between the write and its effects loses nothing: whoever
 * next meets the record (the redelivered message, the sweeper) performs them again.
 */
export interface OutboxParts {
  audit?: AuditEntry[];
  events?: OutgoingEvent[];
  steps?: { message: StepMessage; delaySeconds?: number }[];
  restoreStable?: boolean;
  releaseSlot?: boolean;
}

/** Parts with events read back from a pending outbox, which are checked only when it is flushed. */
type PendingParts = Omit<OutboxParts, 'events'> & { events?: readonly EventEnvelope[] };

/**
 * An outbox whose id comes from its content. Its audit entries get their row keys when the
 * repository stores it (ReleaseRepository.replace), from the same sequence as other audit
 * rows, so entries of one millisecond keep their order.
 */
export function buildOutbox(parts: PendingParts, pendingAudit: Outbox['audit'] = []): Outbox {
  const audit = [...pendingAudit, ...(parts.audit ?? []).map((entry) => ({ entry }))];
  const body = {
    audit,
    events: [...(parts.events ?? [])],
    steps: parts.steps ?? [],
    ...(parts.restoreStable ? { restoreStable: true } : {}),
    ...(parts.releaseSlot ? { releaseSlot: true } : {}),
  };
  return { id: digest(body), ...body };
}

/**
 * The release with `parts` to perform after its write. An outbox still pending (its flush
 * failed, or its clear was lost) is kept: its effects are idempotent, dropping them is not.
 */
export function withOutbox(release: Release, parts: OutboxParts): Release {
  const pending = release.outbox;
  if (!pending) return { ...release, outbox: buildOutbox(parts) };
  const events = [...pending.events, ...(parts.events ?? [])];
  return {
    ...release,
    outbox: buildOutbox(
      {
        audit: parts.audit,
        events: events.filter((e, i) => events.findIndex((o) => o.id === e.id) === i),
        steps: [...pending.steps, ...(parts.steps ?? [])],
        restoreStable: pending.restoreStable || parts.restoreStable,
        releaseSlot: pending.releaseSlot || parts.releaseSlot,
      },
      pending.audit,
    ),
  };
}

export function hasOutbox(release: Release): release is Release & { outbox: Outbox } {
  const o = release.outbox;
  return !!o && (o.audit.length > 0 || o.events.length > 0 || o.steps.length > 0 || !!o.restoreStable || !!o.releaseSlot);
}

/**
 * What follows a stage outcome the step runner records: a wait polls again later; an
 * advance or an end is audited and announced, then the next stage is sent or, once the
 * release ended, its pipeline slot is freed.
 */
export function outcomeOutbox(before: Release, after: Release, outcome: StageOutcome, now: Date): OutboxParts {
  const events = [...(outcome.events ?? [])];
  if (outcome.kind === 'wait') {
    return { events, steps: [{ message: stepOf(after, 'poll'), delaySeconds: outcome.delaySeconds }] };
  }
  const terminal = terminalEventName(after.status);
  events.push(
    terminal ? releaseEvent(terminal, after, now) : releaseEvent('ReleaseStageCompleted', after, now, { completedStage: before.stage }),
  );
  const audit: AuditEntry = {
    at: now.toISOString(),
    releaseId: after.id,
    pipeline: after.pipeline,
    actor: 'autopilot',
    action: outcome.kind === 'advance' ? `complete ${before.stage}` : `end at ${before.stage}`,
    from: { status: before.status, stage: before.stage },
    to: { status: after.status, stage: after.stage },
    why: outcome.kind === 'end' ? outcome.reason : outcome.detail,
  };
  return isTerminal(after.status)
    ? { audit: [audit], events, releaseSlot: true }
    : { audit: [audit], events, steps: [{ message: stepOf(after, 'advance') }] };
}

/** Two step messages that drive the same stage of the same release for the same reason. */
export function isSameStep(a: StepMessage, b: StepMessage): boolean {
  return a.releaseId === b.releaseId && a.stage === b.stage && a.reason === b.reason;
}

/** The step message that drives the release's current stage. */
export function stepOf(release: Release, reason: StepMessage['reason']): StepMessage {
  return { releaseId: release.id, pipeline: release.pipeline, stage: release.stage, reason };
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
