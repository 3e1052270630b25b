import { parseBlobCreated } from '../../../shared/events/blobCreated';
import { inferenceBlobName } from '../../../shared/monitoring/inferenceBlobName';
import { INFERENCE_CONTAINER, type InferenceRecord } from '../../../shared/monitoring/inferenceRecord';
import { runMonitor, type MonitorDeps, type MonitorRun } from '../../../shared/monitoring/runMonitor';
import { summariseArrival } from '../../../shared/monitoring/summariseArrival';
import { MemoryEvents, MemoryTable } from '../release/fakes';
import { csv, harness } from '../release/harness';

type Harness = ReturnType<typeof harness>;

async function withModelInProd(): Promise<{ h: Harness; deps: MonitorDeps }> {
  const h = harness('queue', '    monitoring: { retrain: { enabled: false } }\n');
  await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv(3000))));
  await h.drain();
  const deps: MonitorDeps = {
    config: h.deps.config,
    data: h.data,
    table: new MemoryTable(),
    prod: { endpoints: h.workspaces.prod },
    engine: h.engine,
    events: new MemoryEvents(),
    clock: h.deps.clock,
    logger: h.deps.logger,
    artifactsContainer: 'autopilot-artifacts',
  };
  return { h, deps };
}

/** A blob of prod inference records as the collector writes it; every fifth record from another deployment. */
async function arrive(h: Harness, seq: number, rows: number, center: number, extra = ''): Promise<string> {
  const time = new Date(h.deps.clock.now().getTime() - 60_000 + seq * 1000);
  const lines = Array.from({ length: rows }, (_, i) => {
    const x = center + Math.sin(i * 7.3 + seq) * 10;
    const record: InferenceRecord = {
      requestId: `req-${seq}-${i}`,
      endpoint: 'default-prod',
      environment: 'prod',
      deployment: i % 5 === 0 ? 'v000' : 'v001',
      model: { name: 'default', version: 1 },
      time: new Date(time.getTime() + i).toISOString(),
      input: { x, color: i % 3 ? 'red' : 'blue' },
      prediction: x > 0 ? 'yes' : 'no',
    };
    return JSON.stringify(record);
  });
  const name = inferenceBlobName('default-prod', 'v001', time, seq);
  await h.data.write({ container: INFERENCE_CONTAINER, name }, `${lines.join('\n')}\n${extra}`);
  return name;
}

const summaries = (h: Harness) => [...h.data.blobs.keys()].filter((k) => k.startsWith('autopilot-artifacts/drift-summaries/'));
const comparable = (run: MonitorRun) => ({
  rows: run.rows,
  unreadable: run.unreadable,
  report: run.report,
  outcome: run.outcome,
  reasons: run.reasons,
});

describe('summariseArrival', () => {
  it('stores the summary a run would store, so a run of blobs summarised at arrival reports exactly what a cold run does', async () => {
    const { h, deps } = await withModelInProd();
    const names = [await arrive(h, 1, 800, 0), await arrive(h, 2, 900, 6, 'not json\n'), await arrive(h, 3, 700, 3)];
    const results = [];
    for (const name of names) results.push(await summariseArrival(name, deps));
    expect(results.map((r) => r.kind === 'handled' && r.outcomes.map((o) => o.kind))).toEqual([['stored'], ['stored'], ['stored']]);
    expect(results[1]).toEqual({
      kind: 'handled',
      outcomes: [
        {
          pipeline: 'default',
          kind: 'stored',
          deployment: 'v001',
          records: 900,
          malformed: 1,
          firstMalformed: expect.stringMatching(/^line 901: /),
        },
      ],
    });
    const stored = new Map(summaries(h).map((k) => [k, h.data.blobs.get(k)!.content.toString()]));

    const warm = await runMonitor('default', deps, 'manual');
    expect(warm.reading).toEqual({ blobs: 3, summariesMerged: 3, summariesWritten: 0, summariesUnwritten: 0 });
    for (const k of summaries(h)) h.data.blobs.delete(k);
    h.advance(1);
    const cold = await runMonitor('default', deps, 'manual');
    expect(cold.reading).toEqual({ blobs: 3, summariesMerged: 0, summariesWritten: 3, summariesUnwritten: 0 });
    expect(comparable(warm)).toEqual(comparable(cold));
    expect(warm.unreadable.malformedLines).toBe(1);
    // The run wrote byte for byte what arrival had stored.
    expect(new Map(summaries(h).map((k) => [k, h.data.blobs.get(k)!.content.toString()]))).toEqual(stored);
  });

  it('takes a duplicate event as done; a blob overwritten after its summary is read by the next run, and its late event finds the summary of that run', async () => {
    const { h, deps } = await withModelInProd();
    const name = await arrive(h, 1, 500, 0);
    await summariseArrival(name, deps);
    const writes = h.data.blobs.size;
    expect(await summariseArrival(name, deps)).toEqual({
      kind: 'handled',
      outcomes: [{ pipeline: 'default', kind: 'present', deployment: 'v001' }],
    });
    expect(h.data.blobs.size).toBe(writes);
    // Overwritten: the old summary no longer stands for it (the run would read it) until its own event comes.
    await h.data.write(
      { container: INFERENCE_CONTAINER, name },
      h.data.blobs.get(`${INFERENCE_CONTAINER}/${name}`)!.content.toString().split('\n').slice(0, 200).join('\n'),
    );
    expect((await runMonitor('default', deps, 'manual')).reading).toMatchObject({ summariesMerged: 0, summariesWritten: 1 });
    expect(await summariseArrival(name, deps)).toMatchObject({ outcomes: [{ kind: 'present' }] });
  });

  it('says why a blob without a readable record is left for the runs to read, and the run reports its lines', async () => {
    const { h, deps } = await withModelInProd();
    const name = inferenceBlobName('default-prod', 'v001', new Date(h.deps.clock.now().getTime() - 1000), 9);
    await h.data.write({ container: INFERENCE_CONTAINER, name }, 'not json\n{"requestId": 3}\n');
    expect(await summariseArrival(name, deps)).toEqual({
      kind: 'handled',
      outcomes: [
        {
          pipeline: 'default',
          kind: 'unsummarised',
          reason: expect.stringMatching(/^no line is an inference record \(2 malformed; first: line 1: /),
        },
      ],
    });
    expect(summaries(h)).toEqual([]);
    const run = await runMonitor('default', deps, 'manual');
    expect(run.unreadable.malformedLines).toBe(2);
    expect(run.reading).toMatchObject({ blobs: 1, summariesMerged: 0 });
  });

  it('ignores names it must not use as a path or that no pipeline owns, and skips what no run would merge', async () => {
    const { h, deps } = await withModelInProd();
    for (const odd of [
      'default-prod/2025/01/01/00/../../x.jsonl',
      '../default-prod/2025/01/01/00/x.jsonl',
      'default-prod/x.jsonl',
      'default-prod/2025/01/01/00/x.csv',
    ]) {
      expect(await summariseArrival(odd, deps)).toMatchObject({
        kind: 'ignored',
        reason: expect.stringMatching(/not an inference blob name/),
      });
    }
    expect(await summariseArrival('other-prod/2025/01/01/00/a.jsonl', deps)).toEqual({
      kind: 'ignored',
      reason: "no pipeline's prod endpoint is other-prod",
    });
    const old = new Date(h.deps.clock.now().getTime() - 3 * 3600_000);
    expect(await summariseArrival(inferenceBlobName('default-prod', 'v001', old, 1), deps)).toMatchObject({
      outcomes: [{ kind: 'skipped', reason: expect.stringMatching(/before the monitor's window/) }],
    });
    expect(await summariseArrival(inferenceBlobName('default-prod', 'v001', h.deps.clock.now(), 1), deps)).toMatchObject({
      outcomes: [{ kind: 'skipped', reason: 'the blob is gone' }],
    });
    expect(summaries(h)).toEqual([]);
  });

  it('skips a blob that arrives before any model with a baseline serves the endpoint', async () => {
    const h = harness('queue');
    const deps = {
      config: h.deps.config,
      data: h.data,
      prod: { endpoints: h.workspaces.prod },
      engine: h.engine,
      clock: h.deps.clock,
      artifactsContainer: 'autopilot-artifacts',
    };
    const name = await arrive(h, 1, 10, 0);
    expect(await summariseArrival(name, deps)).toEqual({
      kind: 'handled',
      outcomes: [{ pipeline: 'default', kind: 'skipped', reason: 'no model with a baseline serves the endpoint' }],
    });
  });
});
