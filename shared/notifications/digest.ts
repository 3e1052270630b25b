import type { DigestNote } from './notificationMessage';

/** Per pipeline and breach kind: when a message last went out, and what was folded since. */
export interface DigestState {
  lastSentAt?: string;
  lastEventId?: string;
  folded: number;
  foldedSince?: string;
}

export interface DigestDecision {
  send: boolean;
  /** Set when sending: the breaches folded into this message. */
  note?: DigestNote;
  next: DigestState;
}

/**
 * Monitors announce a breach on every run while it lasts (every few minutes); people want one
 * message, not one per run (flagger #427). The first breach goes out at once; the next ones
 * within `intervalMinutes` are only counted, and the first breach after the interval carries
 * that count. The same event published twice (a retried step) is sent again, and the delivery's
 * idempotency key drops the copy, so a lost enqueue is repaired without a second message.
 */
export function digestBreach(state: DigestState | undefined, eventId: string, now: Date, intervalMinutes: number): DigestDecision {
  const current: DigestState = state ?? { folded: 0 };
  if (current.lastEventId === eventId) return { send: true, next: current };
  const due = !current.lastSentAt || now.getTime() - Date.parse(current.lastSentAt) >= intervalMinutes * 60_000;
  if (!due) {
    return { send: false, next: { ...current, folded: current.folded + 1, foldedSince: current.foldedSince ?? now.toISOString() } };
  }
  return {
    send: true,
    ...(current.folded > 0
      ? { note: { folded: current.folded, since: current.foldedSince ?? current.lastSentAt ?? now.toISOString() } }
      : {}),
    next: { lastSentAt: now.toISOString(), lastEventId: eventId, folded: 0 },
  };
}
