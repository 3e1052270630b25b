import { Webhook } from 'standardwebhooks';
import { listDeadLetters, redeliverDeadLetter } from '../../../shared/notifications/deadLetters';
import type { NotificationJob, ResolvedWebhook, WebhookTransport } from '../../../shared/notifications/notificationJob';
import { parseRetryAfter, retryDelaySeconds } from '../../../shared/notifications/retryDelay';
import { deliverNotification, sentKey, type WebhookDeliveryDeps } from '../../../shared/notifications/webhookDelivery';
import { MemoryQueue, MemoryTable } from '../release/fakes';
import { MemoryLogger } from '../alerts/fakeReleaseControl';
import { releaseEvent, SECRET } from './fixtures';

/** Answers from a script, records every request, and can fail without answering. */
class ScriptedTransport implements WebhookTransport {
  readonly requests: { url: string; headers: Record<string, string>; body: string }[] = [];
  constructor(private readonly answers: (number | 'no answer' | { status: number; retryAfter: string })[]) {}
  async post(url: string, headers: Record<string, string>, body: string) {
    this.requests.push({ url, headers, body });
    const answer = this.answers.shift() ?? 200;
    if (answer === 'no answer') throw new Error('no answer (ECONNREFUSED)');
    return typeof answer === 'number' ? { status: answer } : answer;
  }
}

const HOOK: ResolvedWebhook = {
  pipeline: 'default',
  name: 'own',
  format: 'cloudevents',
  url: 'https://hooks.example/in/TOKEN123?code=SECRETCODE',
  secret: SECRET,
};
const NOW = new Date();

function setup(answers: ConstructorParameters<typeof ScriptedTransport>[0], maxAttempts = 4) {
  const table = new MemoryTable();
  const queue = new MemoryQueue<NotificationJob>();
  const transport = new ScriptedTransport(answers);
  const logger = new MemoryLogger();
  const deps: WebhookDeliveryDeps = {
    table,
    queue,
    transport,
    logger,
    clock: { now: () => NOW },
    webhook: (pipeline, name) => (pipeline === HOOK.pipeline && name === HOOK.name ? HOOK : undefined),
    options: { maxAttempts, backoffSeconds: 10, maxBackoffSeconds: 600 },
  };
  const job: NotificationJob = {
    pipeline: 'default',
    webhook: 'own',
    kind: 'promoted',
    event: releaseEvent('ReleaseSucceeded', { status: 'succeeded' }, 'promote'),
    attempt: 1,
  };
  /** Plays the queue: delivers the job, then every retry it queued, until none is left. */
  async function drain(first = job): Promise<string[]> {
    const outcomes = [await deliverNotification(first, deps)];
    for (let next = queue.take(); next; next = queue.take()) outcomes.push(await deliverNotification(next, deps));
    return outcomes;
  }
  return { table, queue, transport, logger, deps, job, drain };
}

describe('deliverNotification', () => {
  test('posts the event signed as Standard Webhooks, with the event id as webhook-id', async () => {
    const { transport, drain } = setup([200]);
    expect(await drain()).toEqual(['delivered']);
    const [request] = transport.requests;
    expect(request!.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(request!.headers['webhook-id']).toBe('r-20261204-1:ReleaseSucceeded:promote');
    expect(new Webhook(SECRET).verify(request!.body, request!.headers)).toMatchObject({
      specversion: '1.0',
      type: 'autopilot.ReleaseSucceeded',
    });
  });

  test('a redelivered queue message does not send the same event to the same webhook again', async () => {
    const { transport, job, deps } = setup([200, 200]);
    expect(await deliverNotification(job, deps)).toBe('delivered');
    expect(await deliverNotification(job, deps)).toBe('duplicate');
    expect(transport.requests).toHaveLength(1);
  });

  test('500, no answer and 429 are retried with exponential backoff and Retry-After, then delivered', async () => {
    const { transport, queue, drain } = setup([500, 'no answer', { status: 429, retryAfter: '120' }, 200]);
    const delays: (number | undefined)[] = [];
    const send = queue.send.bind(queue);
    queue.send = async (m, o) => {
      delays.push(o?.delaySeconds);
      return send(m, o);
    };
    expect(await drain()).toEqual(['retrying', 'retrying', 'retrying', 'delivered']);
    expect(delays).toEqual([10, 20, 120]);
    expect(transport.requests).toHaveLength(4);
    expect(new Set(transport.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
  });

  test('after the last attempt the delivery is dead-lettered without the URL path, query or secret, and can be redelivered once', async () => {
    const { table, queue, transport, logger, drain } = setup([503, 503, 503, 200], 3);
    expect(await drain()).toEqual(['retrying', 'retrying', 'dead-lettered']);
    const [letter] = await listDeadLetters(table);
    expect(letter).toMatchObject({
      pipeline: 'default',
      webhook: 'own',
      target: 'https://hooks.example/…',
      attempts: 3,
      problem: 'HTTP 503',
      kind: 'promoted',
      eventId: 'r-20261204-1:ReleaseSucceeded:promote',
    });
    const everything = JSON.stringify({ letter, lines: logger.lines });
    for (const secret of ['TOKEN123', 'SECRETCODE', SECRET]) expect(everything).not.toContain(secret);

    await redeliverDeadLetter(table, queue, letter!.id, sentKey);
    expect(await listDeadLetters(table)).toEqual([]);
    expect(await drain(queue.take()!)).toEqual(['delivered']);
    expect(transport.requests).toHaveLength(4);
    await expect(redeliverDeadLetter(table, queue, letter!.id, sentKey)).rejects.toThrow(/dead letter .* not found/);
  });

  test('a 4xx other than 408 and 429 is not retried', async () => {
    const { transport, drain } = setup([410]);
    expect(await drain()).toEqual(['dead-lettered']);
    expect(transport.requests).toHaveLength(1);
  });

  test('a job whose claim another worker holds is looked at again later; a removed webhook drops the job', async () => {
    const { table, queue, job, deps, transport } = setup([200]);
    await table.insert('sent', sentKey(job), { receivedAt: NOW.toISOString(), outcome: 'pending', attempt: 1 });
    expect(await deliverNotification(job, deps)).toBe('deferred');
    expect(queue.sent[0]).toEqual({ message: job, delaySeconds: 120 });
    expect(await deliverNotification({ ...job, webhook: 'gone' }, deps)).toBe('dropped');
    expect(transport.requests).toHaveLength(0);
  });
});

describe('retry timing', () => {
  test('retryDelaySeconds doubles from the base, honours a longer Retry-After and caps both', () => {
    expect([1, 2, 3, 4].map((a) => retryDelaySeconds(a, undefined, { backoffSeconds: 30, maxBackoffSeconds: 200 }))).toEqual([
      30, 60, 120, 200,
    ]);
    expect(retryDelaySeconds(1, 90, { backoffSeconds: 30 })).toBe(90);
    expect(retryDelaySeconds(1, 99_999, { maxBackoffSeconds: 3600 })).toBe(3600);
  });

  test('parseRetryAfter reads delta-seconds and HTTP-dates and ignores the rest', () => {
    const now = new Date('2026-12-04T09:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter('Fri, 04 Dec 2026 09:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
