import { claimOnce, releaseClaim, type DeliveryRecord } from '../delivery/claimOnce';
import { ensureError } from '../errors';
import type { Clock, Logger, MessageQueue, StateTable } from '../ports';
import { deadLetter } from './deadLetters';
import { formatBody } from './formatBody';
import type { NotificationJob, ResolvedWebhook, WebhookTransport } from './notificationJob';
import { toNotificationMessage } from './notificationMessage';
import { redactUrl } from './redactUrl';
import { parseRetryAfter, retryDelaySeconds, type RetryDelayOptions } from './retryDelay';
import { signRequest } from './signRequest';

export interface WebhookDeliveryOptions extends RetryDelayOptions {
  /** Attempts before a delivery is dead-lettered. @default 8 */
  maxAttempts?: number;
  /** Base of the release page links (AUTOPILOT_PUBLIC_URL). @default http://127.0.0.1:7071 */
  publicBaseUrl?: string;
  /** A claim older than this is taken to be from a worker that died mid-send. @default 120 */
  abandonAfterSeconds?: number;
}

export interface WebhookDeliveryDeps {
  /** Idempotency rows (`sent`) and dead letters (`deadletter`). */
  table: StateTable;
  queue: MessageQueue<NotificationJob>;
  transport: WebhookTransport;
  clock: Clock;
  /** The webhook a job names, resolved from autopilot.yaml and app settings; undefined once removed from the file. */
  webhook(pipeline: string, name: string): ResolvedWebhook | undefined;
  logger?: Logger;
  options?: WebhookDeliveryOptions;
}

export type DeliveryOutcome = 'delivered' | 'duplicate' | 'deferred' | 'retrying' | 'dead-lettered' | 'dropped';

interface SentRecord extends DeliveryRecord {
  attempt: number;
}

/** The idempotency row of one event at one webhook. */
export function sentKey(job: Pick<NotificationJob, 'pipeline' | 'webhook' | 'event'>): string {
  // Table keys forbid / \ # ? and control characters; encoding removes them.
  return encodeURIComponent(`${job.pipeline}/${job.webhook}/${job.event.id}`);
}

/**
 * Sends one queued job. Effectively once per event and webhook: a redelivered queue message
 * finds the `sent` row and does nothing. A 2xx is success; 408, 429, 5xx and no answer are
 * retried with exponential backoff (Retry-After honoured) by queuing the job again with a delay;
 * other answers, and the last attempt, go to the dead letters. Never throws for the receiver's
 * faults, so the queue does not retry on top of our own retries.
 */
export async function deliverNotification(job: NotificationJob, deps: WebhookDeliveryDeps): Promise<DeliveryOutcome> {
  const options = deps.options ?? {};
  const hook = deps.webhook(job.pipeline, job.webhook);
  const where = { pipeline: job.pipeline, webhook: job.webhook, eventId: job.event.id, attempt: job.attempt };
  if (!hook) {
    deps.logger?.warn('notification dropped: the webhook is no longer in autopilot.yaml', where);
    return 'dropped';
  }
  const now = deps.clock.now();
  const key = sentKey(job);
  const abandonAfter = options.abandonAfterSeconds ?? 120;
  const claim = await claimOnce<SentRecord>(
    deps.table,
    'sent',
    key,
    { receivedAt: now.toISOString(), outcome: 'pending', attempt: job.attempt },
    abandonAfter,
  );
  if (claim.kind === 'duplicate') {
    if (claim.record.outcome !== 'pending') return 'duplicate';
    // Another worker is sending it now; look again once its claim would have expired.
    await deps.queue.send(job, { delaySeconds: abandonAfter });
    return 'deferred';
  }
  let problem: string;
  let retryAfter: number | undefined;
  let retryable = true;
  try {
    const message = toNotificationMessage(job.event, job.kind, job.pipeline, {
      ...(options.publicBaseUrl ? { publicBaseUrl: options.publicBaseUrl } : {}),
      ...(job.digest ? { digest: job.digest } : {}),
    });
    const { contentType, body } = formatBody(hook.format, job.event, message, job.digest);
    const headers: Record<string, string> = {
      'content-type': contentType,
      ...(hook.secret ? signRequest(hook.secret, job.event.id, now, body) : {}),
    };
    try {
      const answer = await deps.transport.post(hook.url, headers, body);
      if (answer.status >= 200 && answer.status < 300) {
        await deps.table.replace<SentRecord>('sent', key, { ...claim.record, outcome: 'delivered' }, claim.etag);
        return 'delivered';
      }
      problem = `HTTP ${answer.status}`;
      retryAfter = parseRetryAfter(answer.retryAfter, now);
      retryable = answer.status === 408 || answer.status === 429 || answer.status >= 500;
    } catch (error) {
      problem = ensureError(error).message;
    }
  } catch (error) {
    // The message cannot be built (too large for Teams): trying again cannot help.
    problem = ensureError(error).message;
    retryable = false;
  }
  const maxAttempts = options.maxAttempts ?? 8;
  if (retryable && job.attempt < maxAttempts) {
    const delaySeconds = retryDelaySeconds(job.attempt, retryAfter, options);
    // Claim first: a retry picked up at once (no backoff) must not find our claim still pending.
    // A crash in between leaves the claim failed and this message unacknowledged: the queue retries it.
    await releaseClaim(deps.table, 'sent', key, claim, problem);
    await deps.queue.send({ ...job, attempt: job.attempt + 1 }, { delaySeconds });
    deps.logger?.info('notification not delivered yet; will retry', {
      ...where,
      target: redactUrl(hook.url),
      problem,
      retryInSeconds: delaySeconds,
    });
    return 'retrying';
  }
  await deadLetter(deps.table, job, { target: redactUrl(hook.url), format: hook.format, problem, at: now });
  await deps.table.replace<SentRecord>('sent', key, { ...claim.record, outcome: 'dead-lettered' }, claim.etag).catch(() => undefined);
  deps.logger?.warn('notification dead-lettered: see GET /api/notifications/dead-letters', {
    ...where,
    target: redactUrl(hook.url),
    problem,
  });
  return 'dead-lettered';
}
