import { parseBlobCreated } from '../../../shared/events/blobCreated';
import type { Release } from '../../../shared/release/types';
import { ReleaseControl } from '../../../shared/release/releaseControl';
import { stepOf, withOutbox } from '../../../shared/release/outbox';
import { releaseEvent } from '../../../shared/release/releaseEvents';
import { MemoryEvents, MemoryQueue } from './fakes';
import { csv, harness } from './harness';

type Harness = ReturnType<typeof harness>;

/** What a failing effect after the record's write leaves behind, and the redelivery that mends it. */
async function create(h: Harness, name: string, content = csv()): Promise<string> {
  const created = await h.engine.onDataArrival(parseBlobCreated(await h.upload(name, content)));
  return (created as { release: Release }).release.id;
}

const eventsOf = (h: Harness, type: string, id: string) =>
  (h.deps.events as MemoryEvents).published.filter((e) => e.type === `autopilot.${type}` && e.subject === `releases/${id}`);
const audits = async (h: Harness, id: string, action: string) => (await h.engine.repo.auditLog(id)).filter((a) => a.action === action);
const pending = (h: Harness, id: string, stage: string) =>
  h.queue.sent.filter((s) => s.message.releaseId === id && s.message.stage === stage);

describe('effects of a recorded outcome survive a failure after the write', () => {
  it('publishes the stage event once and sends the next step when the event log failed the first time', async () => {
    const h = harness();
    const id = await create(h, 'default/a.csv');
    const validate = h.queue.take()!;
    (h.deps.events as MemoryEvents).failures = 1;
    await expect(h.runner.run(validate)).rejects.toThrow(/event log unavailable/);
    expect((await h.engine.repo.get(id))!.value.stage).toBe('train');
    await h.runner.run(validate); // the queue redelivers the message
    expect(
      eventsOf(h, 'ReleaseStageCompleted', id).map((e) => (e.type === 'autopilot.ReleaseStageCompleted' ? e.data.completedStage : e.type)),
    ).toEqual(['validate']);
    expect(pending(h, id, 'train')).toHaveLength(1);
    expect(await audits(h, id, 'complete validate')).toHaveLength(1);
    expect((await h.engine.repo.get(id))!.value.outbox).toBeUndefined();
    await h.runner.run(validate); // a third delivery changes nothing
    expect(eventsOf(h, 'ReleaseStageCompleted', id)).toHaveLength(1);
    expect(pending(h, id, 'train')).toHaveLength(1);
  });

  it('frees the slot and publishes the terminal event once when the event log failed as the release ended', async () => {
    const h = harness();
    const rejected = await create(h, 'default/bad.csv', 'a,b\n1,2\n');
    const next = await create(h, 'default/good.csv');
    expect((await h.engine.repo.get(next))!.value.status).toBe('queued');
    const validate = h.queue.take()!;
    (h.deps.events as MemoryEvents).failures = 1;
    await expect(h.runner.run(validate)).rejects.toThrow(/event log unavailable/);
    expect((await h.engine.repo.get(rejected))!.value.status).toBe('rejected');
    expect((await h.engine.repo.slot('default')).active).toBe(rejected);
    await h.runner.run(validate);
    expect(eventsOf(h, 'ReleaseRejected', rejected)).toHaveLength(1);
    expect(await audits(h, rejected, 'end at validate')).toHaveLength(1);
    expect(await h.engine.repo.slot('default')).toEqual({ active: next, waiting: [] });
    expect((await h.engine.repo.get(next))!.value.status).toBe('running');
    expect(pending(h, next, 'validate')).toHaveLength(1);
  });

  it('sends the next step once and keeps one copy of the event when the queue failed the first time', async () => {
    const h = harness();
    const id = await create(h, 'default/a.csv');
    const validate = h.queue.take()!;
    (h.queue as MemoryQueue<unknown>).failures = 1;
    await expect(h.runner.run(validate)).rejects.toThrow(/queue unavailable/);
    expect(pending(h, id, 'train')).toHaveLength(0);
    await h.runner.run(validate);
    expect(pending(h, id, 'train')).toHaveLength(1);
    // Published again by the second flush with the same id: the event log stores an id once.
    expect(new Set(eventsOf(h, 'ReleaseStageCompleted', id).map((e) => e.id)).size).toBe(1);
    expect(await audits(h, id, 'complete validate')).toHaveLength(1);
    await h.drain();
    expect((await h.engine.repo.get(id))!.value.status).toBe('succeeded');
  });

  it('lets the sweeper finish the effects when no message comes back', async () => {
    const h = harness();
    const id = await create(h, 'default/bad.csv', 'a,b\n1,2\n');
    (h.deps.events as MemoryEvents).failures = 1;
    await expect(h.runner.run(h.queue.take()!)).rejects.toThrow(/event log unavailable/);
    // The message went to the poison queue: nothing redelivers it, and no lease runs on an ended release.
    await h.engine.sweep();
    expect(eventsOf(h, 'ReleaseRejected', id)).toHaveLength(1);
    expect((await h.engine.repo.slot('default')).active).toBeUndefined();
    expect((await h.engine.repo.get(id))!.value.outbox).toBeUndefined();
  });

  it('publishes ApprovalRequested once the wait is recorded, and once only, when the event log failed the first time', async () => {
    const h = harness();
    h.deps.config.pipelines['default']!.rollout.approval.required = true;
    const id = await create(h, 'default/a.csv');
    let message = h.queue.take()!;
    for (let i = 0; i < 50 && message.stage !== 'approval'; i++, message = h.queue.take()!) {
      h.advance(1);
      await h.runner.run(message);
      for (const job of h.workspaces.dev.jobs.values()) if (job.status === 'running') h.workspaces.dev.finishJob(job.name);
    }
    (h.deps.events as MemoryEvents).failures = 1;
    await expect(h.runner.run(message)).rejects.toThrow(/event log unavailable/);
    await h.runner.run(message);
    const release = (await h.engine.repo.get(id))!.value;
    expect(release).toMatchObject({ status: 'running', stage: 'approval', approval: { requestedAt: expect.any(String) } });
    expect(eventsOf(h, 'ApprovalRequested', id)).toHaveLength(1);
    expect(pending(h, id, 'approval')).toEqual([{ message: expect.objectContaining({ reason: 'poll' }), delaySeconds: 30 }]);
  });

  it('finishes a cancel whose event could not be published at the next sweep', async () => {
    const h = harness();
    const id = await create(h, 'default/a.csv');
    const next = await create(h, 'default/b.csv', csv(60, 3));
    const control = new ReleaseControl(h.deps, h.engine);
    (h.deps.events as MemoryEvents).failures = 1;
    await expect(control.cancel(id, 'alice', 'wrong data')).resolves.toMatchObject({ status: 'cancelled' });
    await h.engine.sweep();
    expect(eventsOf(h, 'ReleaseCancelled', id)).toHaveLength(1);
    expect(await audits(h, id, 'cancel')).toHaveLength(1);
    expect((await h.engine.repo.get(next))!.value.status).toBe('running');
  });

  it('clears only the outbox it flushed: one written meanwhile waits for its own flush', async () => {
    const h = harness();
    const id = await create(h, 'default/bad.csv', 'a,b\n1,2\n');
    const row = (await h.engine.repo.get(id))!;
    const flushing = await h.engine.repo.replace(
      withOutbox(row.value, { events: [releaseEvent('ReleaseStageCompleted', row.value, new Date(), { completedStage: 'validate' })] }),
      row.etag,
    );
    // Another writer renews the lease between this flush's effects and its clear: the clear re-reads and still removes it.
    await h.engine.repo.replace({ ...flushing.value, leaseExpiresAt: '2030-01-01T00:00:00.000Z' }, flushing.etag);
    expect((await h.engine.flush(flushing)).outbox).toBeUndefined();
    const cleared = (await h.engine.repo.get(id))!.value;
    expect(cleared.leaseExpiresAt).toBe('2030-01-01T00:00:00.000Z');
    expect(cleared.outbox).toBeUndefined();
    // This time the other writer adds effects of its own: they stay for their flush.
    const again = (await h.engine.repo.get(id))!;
    const stale = await h.engine.repo.replace(withOutbox(again.value, { steps: [{ message: stepOf(again.value, 'poll') }] }), again.etag);
    await h.engine.repo.replace(withOutbox(stale.value, { releaseSlot: true }), stale.etag);
    await h.engine.flush(stale);
    expect((await h.engine.repo.get(id))!.value.outbox).toMatchObject({ releaseSlot: true, steps: [expect.anything()] });
  });

  it('runs a step message met before its writer cleared the outbox that sent it, without sending it again', async () => {
    const h = harness();
    const id = await create(h, 'default/a.csv');
    await h.runner.run(h.queue.take()!); // validate
    const train = h.queue.take()!;
    // As if the writer had sent the train message and not yet cleared its outbox.
    const row = (await h.engine.repo.get(id))!;
    await h.engine.repo.replace(withOutbox(row.value, { steps: [{ message: train }] }), row.etag);
    await h.runner.run(train);
    expect(h.workspaces.dev.submitted).toHaveLength(1);
    expect(pending(h, id, 'train').map((s) => s.message.reason)).toEqual(['poll']);
    expect((await h.engine.repo.get(id))!.value.outbox).toBeUndefined();
  });
});
