import { parseBlobCreated } from '../../../shared/events/blobCreated';
import type { BlobRef, ModelSource, ScoreRequest } from '../../../shared/ports';
import { StepRunner } from '../../../shared/release/stepRunner';
import type { Release, Stage, StepMessage } from '../../../shared/release/types';
import { ManualTimers } from './fakes';
import { csv, goodScorer, harness } from './harness';

type Harness = ReturnType<typeof harness>;

/** A host process: its own runner and its own heartbeat timers (a crashed host's never fire). */
function host(h: Harness) {
  const timers = new ManualTimers();
  return { timers, runner: new StepRunner({ ...h.deps, timers }, h.engine) };
}

/** Runs steps until the next message is for `stage`, and returns that message (not run). */
async function untilStage(h: Harness, stage: Stage): Promise<StepMessage> {
  for (let i = 0; i < 50; i++) {
    const message = h.queue.take()!;
    if (message.stage === stage) return message;
    h.advance(1);
    await h.runner.run(message);
    for (const job of h.workspaces.dev.jobs.values()) if (job.status === 'running') h.workspaces.dev.finishJob(job.name, 'completed');
  }
  throw new Error(`never reached ${stage}`);
}

/** A promise the test resolves, and one that says when the code under test got there. */
function latch() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** 30,000 rows: a 6,000-row holdout, scored in two batches of at most 5,000. */
async function releaseAtEvaluate(h: Harness) {
  const created = await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/big.csv', csv(30_000))));
  const id = (created as { release: Release }).release.id;
  return { id, message: await untilStage(h, 'evaluate') };
}

/** The first scoring request blocks until `unblock`; later ones answer at once. */
function blockFirstBatch(h: Harness) {
  const scored: number[] = [];
  const entered = latch();
  const gate = latch();
  h.workspaces.dev.scorer = async (source: ModelSource, request: ScoreRequest) => {
    scored.push(request.input_data.data.length);
    if (scored.length === 1) {
      entered.open();
      await gate.opened;
    }
    return goodScorer(source, request);
  };
  return { scored, entered: entered.opened, unblock: gate.open };
}

const get = async (h: Harness, id: string) => (await h.engine.repo.get(id))!.value;

describe('leases of long stages', () => {
  it('StepRunner renews the lease of a running stage, so the sweeper does not re-drive it', async () => {
    const h = harness();
    const { id, message } = await releaseAtEvaluate(h);
    const scoring = blockFirstBatch(h);
    const a = host(h);
    const run = a.runner.run(message);
    await scoring.entered;
    for (let beat = 0; beat < 6; beat++) {
      h.advance(40); // a third of the 120 s lease per beat: 240 s in all
      await a.timers.fire();
      expect((await h.engine.sweep()).redriven).toEqual([]);
    }
    scoring.unblock();
    const after = await run;
    expect(after?.stage).toBe('register');
    // One full batch of 5,000 and the rest of the held-out rows (the split holds out about 20% of 30,000).
    expect(scoring.scored).toEqual([5000, (await get(h, id)).data!.holdoutRows! - 5000]);
    expect(h.queue.sent.map((s) => s.message.reason)).toEqual(['advance']);
    expect(after?.stages.evaluate).toMatchObject({ status: 'succeeded', starts: 0 });
    expect(after?.stages.evaluate?.heldBy).toBeUndefined();
    expect(a.timers.live).toBe(0);
    await expect(get(h, id)).resolves.toMatchObject({ stage: 'register' });
  });

  it('StepRunner treats a second delivery for a stage running in another invocation as a no-op', async () => {
    const h = harness();
    const { id, message } = await releaseAtEvaluate(h);
    const scoring = blockFirstBatch(h);
    const first = host(h).runner.run(message);
    await scoring.entered;
    const second = await host(h).runner.run({ ...message, reason: 'redrive' });
    expect(second).toMatchObject({ status: 'running', stage: 'evaluate' });
    expect(scoring.scored).toHaveLength(1);
    scoring.unblock();
    await expect(first).resolves.toMatchObject({ status: 'running', stage: 'register' });
    // One full batch of 5,000 and the rest of the held-out rows (the split holds out about 20% of 30,000).
    expect(scoring.scored).toEqual([5000, (await get(h, id)).data!.holdoutRows! - 5000]);
    await expect(get(h, id)).resolves.toMatchObject({ stage: 'register' });
  });

  it('a cancel stops evaluate between batches: no further batch is scored and nothing overwrites the cancel', async () => {
    const h = harness();
    const { id, message } = await releaseAtEvaluate(h);
    const scoring = blockFirstBatch(h);
    const a = host(h);
    const run = a.runner.run(message);
    await scoring.entered;
    await h.engine.cancel(id, 'alice', 'wrong data');
    await a.timers.fire(); // the heartbeat's write conflicts, its re-read sees the cancel
    scoring.unblock();
    const after = await run;
    expect(scoring.scored).toEqual([5000]);
    expect(after).toMatchObject({ status: 'cancelled', reason: 'wrong data' });
    await expect(get(h, id)).resolves.toMatchObject({ status: 'cancelled', reason: 'wrong data' });
    // The scoring server is freed even though the evaluation stopped half-way.
    expect(h.workspaces.dev.finishedScorings).toHaveLength(1);
  });

  it('a stage that crashed the host twice fails the release with the reason instead of running a third time', async () => {
    const h = harness();
    const created = await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/huge.csv', csv())));
    const id = (created as { release: Release }).release.id;
    const read = h.data.read.bind(h.data);
    let reads = 0;
    // Reading the upload kills the host the first two times: the read never returns.
    h.data.read = (ref: BlobRef) => (ref.name === 'default/huge.csv' && ++reads <= 2 ? new Promise(() => undefined) : read(ref));
    void host(h).runner.run(h.queue.take()!);
    for (let crash = 1; crash <= 2; crash++) {
      await until(() => reads === crash);
      h.advance(121);
      expect((await h.engine.sweep()).redriven).toEqual([id]);
      const redrive = h.queue.take()!;
      expect(redrive).toMatchObject({ stage: 'validate', reason: 'redrive' });
      if (crash === 1) void host(h).runner.run(redrive);
      else {
        const after = await host(h).runner.run(redrive);
        expect(reads).toBe(2);
        expect(after).toMatchObject({ status: 'failed', stage: 'validate' });
        expect(after?.reason).toMatch(
          /^validate crashed the host twice \(2 runs started since .*, none finished\); not re-driven again\. the data file is likely too large/,
        );
        expect(h.workspaces.dev.submitted).toHaveLength(0);
      }
    }
    expect((await h.engine.sweep()).redriven).toEqual([]);
  });

  it('a stage whose run ended in-process (a lost race) is not counted as a crash', async () => {
    const h = harness();
    const { id, message } = await releaseAtEvaluate(h);
    const scoring = blockFirstBatch(h);
    const a = host(h);
    const run = a.runner.run(message);
    await scoring.entered;
    // Someone else writes the record meanwhile: the heartbeat renews on the new version.
    await h.engine.update(id, (r) => ({ ...r, reason: 'touched' }));
    await a.timers.fire();
    scoring.unblock();
    await expect(run).rejects.toThrow(/Concurrent update/);
    const after = await get(h, id);
    expect(after.stages.evaluate).toMatchObject({ starts: 0 });
    expect(after.stages.evaluate?.heldBy).toBeUndefined();
    // The redelivered message runs at once, on a fresh read.
    await expect(host(h).runner.run(message)).resolves.toMatchObject({ stage: 'register' });
  });
});

/** Lets pending promise callbacks run until `condition` holds (no timers involved). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise<void>((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition never held');
}
