import { parseBlobCreated } from '../../../shared/events/blobCreated';
import { runMonitorByHand } from '../../../shared/monitoring/runMonitorByHand';
import { ReleaseControl } from '../../../shared/release/releaseControl';
import { repairRelease } from '../../../shared/release/repair';
import type { AuditEntry } from '../../../shared/release/types';
import { MemoryEvents, MemoryTable } from './fakes';
import { csv, harness, until, withChampion } from './harness';

type Harness = ReturnType<typeof harness>;

/** Every entry of the day index (the log across releases) for the harness's day. */
async function dayLog(h: Harness): Promise<AuditEntry[]> {
  const now = h.deps.clock.now();
  return (await h.engine.repo.listAudit({ since: '2026-11-28T00:00:00.000Z', until: now.toISOString(), limit: 10_000 })).entries;
}

function last(entries: AuditEntry[], action: string): AuditEntry | undefined {
  return entries.filter((e) => e.action === action).at(-1);
}

describe('every mutating action is in the audit log with actor, pipeline and why', () => {
  test('a manual start: create by the caller, then start by the autopilot', async () => {
    const h = harness();
    await h.upload('default/day1.csv', csv());
    const result = await h.engine.startManual({ pipeline: 'default', by: 'dana', requestId: 'q1', note: 'fresh labels' });
    if (result.kind === 'ignored') throw new Error(result.reason);
    const { release } = result;
    const log = await dayLog(h);
    expect(last(log, 'create')).toMatchObject({
      releaseId: release.id,
      pipeline: 'default',
      actor: 'dana',
      why: expect.stringContaining('fresh labels'),
    });
    expect(last(log, 'start')).toMatchObject({ releaseId: release.id, pipeline: 'default', actor: 'autopilot', to: { status: 'running' } });
  });

  test('cancel records who and why', async () => {
    const h = harness();
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv())));
    const id = (await h.engine.repo.list())[0]!.id;
    await new ReleaseControl(h.deps, h.engine).cancel(id, 'dana', 'wrong file');
    expect(last(await dayLog(h), 'cancel')).toMatchObject({
      releaseId: id,
      pipeline: 'default',
      actor: 'dana',
      why: 'wrong file',
      to: { status: 'cancelled' },
    });
  });

  test('approve records the reason given', async () => {
    const h = await withChampion();
    h.deps.config.pipelines['default']!.rollout.approval.required = true;
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day2.csv', csv(60, 2))));
    const id = await until(h, (stage) => stage === 'approval');
    await h.runner.run(h.queue.take()!); // the gate asks
    await new ReleaseControl(h.deps, h.engine).approve(id, 'eli', 'CAB-1234 signed off');
    expect(last(await dayLog(h), 'approve')).toMatchObject({
      releaseId: id,
      pipeline: 'default',
      actor: 'eli',
      why: 'CAB-1234 signed off',
    });
  });

  test('promote and a canary rollback record the actor and reason', async () => {
    const h = await withChampion();
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day2.csv', csv(60, 2))));
    const id = await until(h, (stage) => stage === 'canary');
    await h.runner.run(h.queue.take()!); // the canary's first step
    const control = new ReleaseControl(h.deps, h.engine);
    await control.promote(id, 'eli', 'hotfix');
    expect(last(await dayLog(h), 'promote')).toMatchObject({ releaseId: id, actor: 'eli', why: 'hotfix: remaining canary steps skipped' });
    await control.rollbackRelease(id, 'eli', 'latency');
    expect(last(await dayLog(h), 'rollback')).toMatchObject({
      releaseId: id,
      pipeline: 'default',
      actor: 'eli',
      why: 'latency',
      to: { status: 'rolled_back' },
    });
  });

  test('a pipeline rollback is audited even when no release owns the deployment it replaces', async () => {
    const h = await withChampion();
    const endpoint = h.workspaces.prod.endpoints.get('default-prod')!;
    await h.workspaces.prod.deploy({
      endpoint: 'default-prod',
      deployment: 'by-hand',
      model: { name: 'default', version: 1 },
      specPath: '/specs/deployment.yaml',
    });
    await h.workspaces.prod.setTraffic('default-prod', {
      ...Object.fromEntries(Object.keys(endpoint.traffic).map((d) => [d, 0])),
      'by-hand': 100,
    });
    const result = await new ReleaseControl(h.deps, h.engine).rollbackPipeline('default', 'eli', 'bad hand deploy');
    expect(result.releaseId).toBeUndefined();
    expect(last(await dayLog(h), 'rollback')).toEqual({
      at: expect.any(String),
      pipeline: 'default',
      actor: 'eli',
      action: 'rollback',
      why: `bad hand deploy (default-prod: by-hand -> ${result.to})`,
    });
  });

  test('repair records who ended the unreadable release', async () => {
    const h = harness();
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv())));
    const row = (await h.engine.repo.getRaw((await h.engine.repo.list())[0]!.id))!;
    const broken = { ...(row.value as object), stage: 'no-such-stage' };
    const id = (row.value as { id: string }).id;
    await h.deps.table.replace('release', id, broken, row.etag);
    await repairRelease(h.engine, h.deps, id, 'eli');
    expect(last(await dayLog(h), 'repair')).toMatchObject({ releaseId: id, pipeline: 'default', actor: 'eli', why: expect.any(String) });
  });

  test('a monitor run asked for by hand records who asked and its outcome', async () => {
    const h = harness();
    const deps = {
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
    const run = await runMonitorByHand('default', deps, 'dana');
    expect(run.outcome).toBe('no-model');
    expect(last(await dayLog(h), 'monitor run')).toEqual({
      at: expect.any(String),
      pipeline: 'default',
      actor: 'dana',
      action: 'monitor run',
      why: expect.stringMatching(new RegExp(`^${run.id}: no-model on 0 rows`)),
    });
  });
});
