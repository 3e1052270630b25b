import { digestBreach } from '../../../shared/notifications/digest';
import { NotificationOutbox, notifyingPublisher } from '../../../shared/notifications/notificationOutbox';
import type { NotificationJob } from '../../../shared/notifications/notificationJob';
import type { OutgoingEvent } from '../../../shared/ports';
import { MemoryEvents, MemoryQueue, MemoryTable } from '../release/fakes';
import { MemoryLogger } from '../alerts/fakeReleaseControl';
import { configWith, driftEvent, releaseEvent, published } from './fixtures';
import { anEvent } from '../../fakes/outgoingEvents';

const HOOKS = `digestMinutes: 30
webhooks:
  - { name: chat, urlFrom: CHAT_URL, format: teams }
  - { name: audit, url: "https://audit.example/in", secretFrom: AUDIT_SECRET, events: [stage_changed, promoted] }`;

function outbox(now: { value: Date }, yaml = HOOKS) {
  const queue = new MemoryQueue<NotificationJob>();
  const table = new MemoryTable();
  return { queue, table, outbox: new NotificationOutbox({ config: configWith(yaml), table, queue, clock: { now: () => now.value } }) };
}

describe('digestBreach', () => {
  const t0 = new Date('2026-12-04T09:00:00Z');
  const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

  test('sends the first breach, counts the next ones within the interval, and reports them with the first after it', () => {
    const first = digestBreach(undefined, 'a', t0, 60);
    expect(first).toMatchObject({ send: true, next: { lastSentAt: t0.toISOString(), folded: 0 } });
    expect(first.note).toBeUndefined();
    const second = digestBreach(first.next, 'b', at(10), 60);
    const third = digestBreach(second.next, 'c', at(20), 60);
    expect([second.send, third.send]).toEqual([false, false]);
    const later = digestBreach(third.next, 'd', at(60), 60);
    expect(later).toMatchObject({ send: true, note: { folded: 2, since: at(10).toISOString() }, next: { folded: 0, lastEventId: 'd' } });
  });

  test('the same event again (a retried step) is sent again, for the delivery key to drop, and changes nothing', () => {
    const first = digestBreach(undefined, 'a', t0, 60);
    expect(digestBreach(first.next, 'a', at(1), 60)).toEqual({ send: true, next: first.next });
  });
});

describe('NotificationOutbox', () => {
  test('queues one job per webhook whose filter takes the kind: decisions by default, stage changes only when asked', async () => {
    const { queue, outbox: box } = outbox({ value: new Date('2026-12-04T09:00:00Z') });
    await box.enqueue([
      published(releaseEvent('ReleaseQueued', {}, 'validate')),
      published(releaseEvent('ReleaseStageCompleted', { completedStage: 'validate' }, 'train')),
      published(releaseEvent('ReleaseSucceeded', { status: 'succeeded' }, 'promote')),
    ]);
    expect(queue.sent.map((s) => `${s.message.kind}->${s.message.webhook}`)).toEqual([
      'started->chat',
      'stage_changed->audit',
      'promoted->chat',
      'promoted->audit',
    ]);
    expect(queue.sent[0]!.message).toMatchObject({ pipeline: 'default', attempt: 1, event: { id: 'r-20261204-1:ReleaseQueued:validate' } });
  });

  test('ignores events of other pipelines, unknown types, and pipelines without webhooks', async () => {
    const { queue, outbox: box } = outbox({ value: new Date() });
    const foreign: OutgoingEvent = published({ ...releaseEvent('ReleaseQueued'), source: '/autopilot/pipelines/other' });
    const alert: OutgoingEvent = anEvent(
      'autopilot.AlertReceived',
      {
        alertId: 'a1',
        rule: 'latency',
        condition: 'Fired',
        service: 'Platform',
        firedAt: '2026-12-04T09:00:00.000Z',
        endpoints: ['default-prod'],
      },
      { source: '/autopilot/pipelines/default' },
    );
    expect(await box.enqueue([foreign, alert])).toBe(0);
    const none = outbox({ value: new Date() }, '{}');
    expect(await none.outbox.enqueue([published(releaseEvent('ReleaseQueued'))])).toBe(0);
    expect(queue.sent).toHaveLength(0);
  });

  test('one drift message per digest interval however many monitor runs announce it, the next one counting the rest', async () => {
    const now = { value: new Date('2026-12-04T09:00:00Z') };
    const { queue, outbox: box } = outbox(now);
    for (let run = 0; run < 6; run++) {
      now.value = new Date(Date.parse('2026-12-04T09:00:00Z') + run * 5 * 60_000);
      await box.enqueue([published(driftEvent(`default-${run}`))]);
    }
    // Runs at 0, 5, ... 25 min: only the first is sent within the 30-minute digest.
    expect(queue.sent.map((s) => s.message.event.id)).toEqual(['default-0:drift']);
    now.value = new Date('2026-12-04T09:31:00Z');
    await box.enqueue([published(driftEvent('default-7'))]);
    expect(queue.sent[1]!.message).toMatchObject({
      kind: 'drift',
      webhook: 'chat',
      digest: { folded: 5, since: '2026-12-04T09:05:00.000Z' },
    });
    // Quality breaches have their own digest.
    await box.enqueue([
      published({
        ...driftEvent('default-8'),
        id: 'default-8:data-quality',
        type: 'autopilot.QualityDegraded',
        data: { ...driftEvent('default-8').data, outcome: 'data-quality', reasons: ['nulls'] },
      }),
    ]);
    expect(queue.sent[2]!.message.kind).toBe('data_quality');
  });

  test('an event too large for a queue message keeps its scalars and reasons and points at the event log', async () => {
    const { queue, outbox: box } = outbox({ value: new Date() });
    const big = driftEvent('default-9');
    big.data['features'] = Array.from({ length: 2000 }, (_, i) => ({
      feature: `f${i}`,
      role: 'feature',
      metric: 'psi',
      value: 0.1,
      threshold: 0.2,
      drifted: false,
    }));
    await box.enqueue([published(big)]);
    const data = queue.sent[0]!.message.event.data;
    expect(data).toMatchObject({ pipeline: 'default', reasons: big.data['reasons'], model: { name: 'default', version: 7 } });
    expect(data['features']).toBeUndefined();
    expect(String(data['truncated'])).toMatch(/GET \/api\/events/);
  });

  test('notifyingPublisher publishes to the event log first and never fails the publisher when queuing fails', async () => {
    const events = new MemoryEvents();
    const logger = new MemoryLogger();
    const failing = {
      enqueue: async () => {
        throw new Error('queue unreachable');
      },
    } as unknown as NotificationOutbox;
    await expect(
      notifyingPublisher(events, failing, logger).publish([published(releaseEvent('ReleaseFailed', { status: 'failed' }))]),
    ).resolves.toBeUndefined();
    expect(events.published.map((e) => e.type)).toEqual(['autopilot.ReleaseFailed']);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: expect.stringMatching(/queuing notifications failed/),
        properties: expect.objectContaining({ problem: 'queue unreachable' }),
      }),
    ]);
  });
});
