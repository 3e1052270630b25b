import { AlreadyExistsError, NotFoundError } from '../errors';
import type { MessageQueue, StateTable } from '../ports';
import type { NotificationJob } from './notificationJob';

/** A delivery that gave up, kept for the operator (GET /api/notifications/dead-letters). */
export interface DeadLetter {
  id: string;
  at: string;
  pipeline: string;
  webhook: string;
  format: string;
  /** The receiver's origin only: the rest of a webhook URL is often its credential. */
  target: string;
  kind: NotificationJob['kind'];
  eventId: string;
  eventType: string;
  attempts: number;
  problem: string;
  /** What a redelivery queues again. */
  job: NotificationJob;
}

const PARTITION = 'deadletter';
/** Inverted milliseconds keep a partition listing newest first (as the event log does). */
const MAX_TIME = 9_999_999_999_999;

/** The shape of the ids deadLetter writes: a reversed time (newest first in key order), then base64url. */
export const DEAD_LETTER_ID = /^\d{13}-[A-Za-z0-9_-]{1,900}$/;

export async function deadLetter(
  table: StateTable,
  job: NotificationJob,
  details: { target: string; format: string; problem: string; at: Date },
): Promise<DeadLetter> {
  const id = `${String(MAX_TIME - details.at.getTime()).padStart(13, '0')}-${base64Url(`${job.pipeline}/${job.webhook}/${job.event.id}`)}`;
  const letter: DeadLetter = {
    id,
    at: details.at.toISOString(),
    pipeline: job.pipeline,
    webhook: job.webhook,
    format: details.format,
    target: details.target,
    kind: job.kind,
    eventId: job.event.id,
    eventType: job.event.type,
    attempts: job.attempt,
    problem: details.problem.slice(0, 500),
    job,
  };
  try {
    await table.insert(PARTITION, id, letter);
  } catch (error) {
    // The same letter written before a crash: keep it.
    if (!(error instanceof AlreadyExistsError)) throw error;
  }
  return letter;
}

/** Ids go into URL paths and table keys: base64url needs no escaping in either. */
function base64Url(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

export async function listDeadLetters(table: StateTable, options: { limit?: number; pipeline?: string } = {}): Promise<DeadLetter[]> {
  const rows = await table.list<DeadLetter>(PARTITION, { limit: options.pipeline ? 1000 : (options.limit ?? 100) });
  return rows
    .map((r) => r.value)
    .filter((l) => !options.pipeline || l.pipeline === options.pipeline)
    .slice(0, options.limit ?? 100);
}

/**
 * Queues a dead letter's delivery again from its first attempt and removes the letter. The
 * idempotency row is set back to `failed` so the new attempt may send; a receiver that already
 * got it recognises the unchanged `webhook-id`.
 */
export async function redeliverDeadLetter(
  table: StateTable,
  queue: MessageQueue<NotificationJob>,
  id: string,
  sentKey: (job: NotificationJob) => string,
): Promise<DeadLetter> {
  const row = await table.get<DeadLetter>(PARTITION, id);
  if (!row) throw new NotFoundError('dead letter', id, 'list them with GET /api/notifications/dead-letters');
  const letter = row.value;
  const sent = await table.get<{ receivedAt: string; outcome: string }>('sent', sentKey(letter.job));
  if (sent) await table.replace('sent', sentKey(letter.job), { ...sent.value, outcome: 'failed' }, sent.etag);
  await queue.send({ ...letter.job, attempt: 1 });
  await table.delete(PARTITION, id);
  return letter;
}
