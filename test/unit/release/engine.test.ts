import { parseBlobCreated } from '../../../shared/events/blobCreated';
import { csv, harness } from './harness';

describe('release engine', () => {
  it('takes new data through every stage to a model serving 100% of prod', async () => {
    const h = harness();
    const result = await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv())));
    expect(result.kind).toBe('created');
    await h.drain();
    const release = (await h.engine.repo.get((result as { release: { id: string } }).release.id))!.value;
    expect(release.status).toBe('succeeded');
    expect(release.model).toEqual({ name: 'default', version: 1 });
    expect(release.gate?.passed).toBe(true);
    expect(Object.values(release.stages).every((s) => s?.status === 'succeeded')).toBe(true);
    const prod = await h.workspaces.prod.getEndpoint('default-prod');
    expect(prod?.traffic).toEqual({ v001: 100 });
    expect((await h.workspaces.staging.getEndpoint('default-staging'))?.traffic).toEqual({ v001: 100 });
    const audit = await h.engine.repo.auditLog(release.id);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['create', 'start', 'complete validate', 'complete promote']));
  });

  it('makes one release, one job and one model version from an event delivered three times', async () => {
    const h = harness();
    const event = await h.upload('default/day1.csv', csv());
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await h.engine.onDataArrival(parseBlobCreated(event)));
    // A redelivery mid-release is a duplicate too.
    await h.drain();
    results.push(await h.engine.onDataArrival(parseBlobCreated(event)));
    expect(results.map((r) => r.kind)).toEqual(['created', 'duplicate', 'duplicate', 'duplicate']);
    expect(await h.engine.repo.list()).toHaveLength(1);
    expect(h.workspaces.dev.submitted).toHaveLength(1);
    expect(h.workspaces.dev.models).toHaveLength(1);
  });

  it('ignores a step message delivered twice (at-least-once queue)', async () => {
    const h = harness();
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/a.csv', csv())));
    const first = h.queue.sent[0]!.message;
    await h.queue.send(first);
    await h.drain();
    expect(h.workspaces.dev.submitted).toHaveLength(1);
    expect((await h.engine.repo.list())[0]!.status).toBe('succeeded');
  });

  it('rejects data without the label column, naming the columns found, and trains nothing', async () => {
    const h = harness();
    const { release } = (await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/bad.csv', 'a,b\n1,2\n')))) as {
      release: { id: string };
    };
    await h.drain();
    const after = (await h.engine.repo.get(release.id))!.value;
    expect(after.status).toBe('rejected');
    expect(after.reason).toMatch(/no label column 'label' \(columns: a, b\)/);
    expect(h.workspaces.dev.submitted).toHaveLength(0);
    expect(after.stages.validate).toMatchObject({ status: 'succeeded', detail: expect.stringMatching(/^rejected: .*no label column/) });
  });

  it('rejects a non-CSV blob by its extension with a fix', async () => {
    const h = harness();
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/photo.png', '\u0089PNG')));
    await h.drain();
    expect((await h.engine.repo.list())[0]!.reason).toMatch(/only CSV files are supported \(got \.png\)/);
  });

  it('fails the release with the job error when training crashes', async () => {
    const h = harness();
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/a.csv', csv())));
    await h.drain({ jobStatus: 'failed' });
    const release = (await h.engine.repo.list())[0]!;
    expect(release.status).toBe('failed');
    expect(release.reason).toMatch(/training job .*-train failed: exit code 3/);
    expect(h.workspaces.prod.endpoints.size).toBe(0);
  });

  it('registers but does not deploy a candidate that surely falls short of minImprovement over the champion', async () => {
    const h = harness();
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv())));
    await h.drain();
    // Same quality as the champion: the policy asks for +0.01 AUC.
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day2.csv', csv(60, 2))));
    await h.drain();
    const [second] = await h.engine.repo.list();
    expect(second!.status).toBe('rejected');
    // Both rank the holdout perfectly: no AUC can beat 1 by 0.01, so DeLong (variance 0) settles it.
    const held = second!.data!.holdoutRows!;
    expect(second!.reason).toContain(
      `evaluation gate: auc 1.0000 vs champion 1.0000: improvement 0.0000 falls short of minImprovement 0.0100 (90% CI 0.0000 to 0.0000; DeLong p < 0.0001 for improvement ≥ 0.0100, on ${held} held-out rows)`,
    );
    expect(second!.gate).toMatchObject({ passed: false, outcome: 'reject', comparison: { test: 'DeLong', rows: held, improvement: 0 } });
    expect(second!.model).toEqual({ name: 'default', version: 2 });
    expect(second!.champion).toEqual({ name: 'default', version: 1 });
    expect((await h.workspaces.prod.getEndpoint('default-prod'))?.traffic).toEqual({ v001: 100 });
    // Rejection is an outcome, not a failure: registration worked, and the verdict is the evaluate stage's.
    expect(second!.stages.register).toMatchObject({
      status: 'succeeded',
      detail: expect.stringMatching(/^rejected: evaluation gate: auc/),
    });
    expect(second!.stages.evaluate).toMatchObject({ status: 'succeeded', detail: expect.stringMatching(/^rejected: /) });
  });

  it('rejects a candidate under the floor', async () => {
    const h = harness();
    h.workspaces.dev.scorer = (_s, req) => ({
      predictions: req.input_data.data.map(() => 'no'),
      probabilities: req.input_data.data.map(() => [0.5, 0.5]),
      classes: ['no', 'yes'],
    });
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/a.csv', csv())));
    await h.drain();
    expect((await h.engine.repo.list())[0]!.reason).toMatch(/auc 0\.5000 < floor 0\.6000/);
  });

  it('queues data that lands while a release runs and starts it afterwards (concurrency: queue)', async () => {
    const h = harness();
    const a = await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/a.csv', csv())));
    const b = await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/b.csv', csv(60, 3))));
    expect(b.kind === 'created' && b.release.status).toBe('queued');
    expect(b.kind === 'created' && b.release.reason).toMatch(/waiting for default-/);
    await h.drain();
    const ids = [a, b].map((r) => (r as { release: { id: string } }).release.id);
    const statuses = await Promise.all(ids.map(async (id) => (await h.engine.repo.get(id))!.value.status));
    expect(statuses).toEqual(['succeeded', 'rejected']);
    expect(h.workspaces.dev.submitted).toHaveLength(2);
  });

  it('cancels the running release when new data lands (concurrency: supersede)', async () => {
    const h = harness('supersede');
    const a = await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/a.csv', csv())));
    await h.runner.run(h.queue.take()!); // validate
    await h.runner.run(h.queue.take()!); // train submitted
    const b = await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/b.csv', csv(60, 3))));
    await h.drain();
    const first = (await h.engine.repo.get((a as { release: { id: string } }).release.id))!.value;
    expect(first.status).toBe('cancelled');
    expect(first.reason).toMatch(/superseded by default-/);
    expect(h.workspaces.dev.jobs.get(first.job!.name)!.status).toBe('canceled');
    expect((await h.engine.repo.get((b as { release: { id: string } }).release.id))!.value.status).toBe('succeeded');
  });

  it('re-drives a release whose step message was lost once its lease expires', async () => {
    const h = harness();
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/a.csv', csv())));
    h.queue.sent.length = 0; // the message is lost (crash between write and send)
    expect((await h.engine.sweep()).redriven).toEqual([]);
    h.advance(121);
    const { redriven } = await h.engine.sweep();
    expect(redriven).toHaveLength(1);
    await h.drain();
    expect((await h.engine.repo.list())[0]!.status).toBe('succeeded');
  });

  it('fails the release after repeated errors of one stage, with the error', async () => {
    const h = harness();
    h.workspaces.dev.scoreBatch = async () => {
      throw new Error('connection reset');
    };
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/a.csv', csv())));
    await h.drain();
    const release = (await h.engine.repo.list())[0]!;
    expect(release.status).toBe('failed');
    expect(release.reason).toBe('evaluate failed: connection reset');
    expect(release.stages.evaluate?.attempts).toBe(5);
  });

  it('leaves prod traffic unchanged when the prod deployment fails', async () => {
    const h = harness();
    h.workspaces.prod.failDeploy = true;
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/a.csv', csv())));
    await h.drain();
    const release = (await h.engine.repo.list())[0]!;
    expect(release.status).toBe('failed');
    expect(release.reason).toMatch(/deployment default-prod\/v001 failed: init failed; prod traffic unchanged/);
    expect((await h.workspaces.prod.getEndpoint('default-prod'))?.deployments).toEqual([]);
  });

  it('ignores blobs no pipeline watches', async () => {
    const h = harness();
    const event = await h.upload('other/a.csv', csv());
    expect(await h.engine.onDataArrival(parseBlobCreated(event))).toEqual({
      kind: 'ignored',
      reason: 'no pipeline watches training-data/other/a.csv',
    });
  });

  it('starts a manual release on the newest blob of the pipeline', async () => {
    const h = harness();
    await h.upload('default/a.csv', csv());
    await h.upload('default/b.csv', csv(60, 4));
    const result = await h.engine.startManual({ pipeline: 'default', by: 'alice', requestId: 'req-1' });
    expect(result.kind === 'created' && result.release.data?.blob).toBe('default/b.csv');
    expect(result.kind === 'created' && result.release.trigger).toMatchObject({ kind: 'manual', by: 'alice' });
    expect((await h.engine.startManual({ pipeline: 'default', by: 'alice', requestId: 'req-1' })).kind).toBe('duplicate');
    await h.drain();
    // Storage quotes eTags in properties; the release must still recognise its blob.
    expect((await h.engine.repo.list())[0]!).toMatchObject({ status: 'succeeded', data: { eTag: '0x2' } });
    await expect(h.engine.startManual({ pipeline: 'nope', by: 'a', requestId: 'r' })).rejects.toThrow(
      /pipeline 'nope' not found. Known pipelines: default/,
    );
  });
});
