import { parseBlobCreated } from '../../../shared/events/blobCreated';
import { inferenceBlobName } from '../../../shared/monitoring/inferenceBlobName';
import { GROUND_TRUTH_CONTAINER, INFERENCE_CONTAINER, type InferenceRecord } from '../../../shared/monitoring/inferenceRecord';
import {
  monitorDue,
  monitorLogLine,
  runMonitor,
  signalDrift,
  type MonitorDeps,
  type MonitorRun,
} from '../../../shared/monitoring/runMonitor';
import { MemoryEvents, MemoryTable } from '../release/fakes';
import { csv, harness } from '../release/harness';

type Harness = ReturnType<typeof harness>;

/** A pipeline with a model in prod (harness data: feature x, color; label yes when x > 0). */
async function withModelInProd(): Promise<{ h: Harness; deps: MonitorDeps; events: MemoryEvents; now: () => Date }> {
  const h = harness('queue', '    monitoring: { retrain: { debounceRuns: 2 }, quality: { minLabels: 20 } }\n');
  await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv(3000))));
  await h.drain();
  const events = new MemoryEvents();
  const now = () => h.deps.clock.now();
  const deps: MonitorDeps = {
    config: h.deps.config,
    data: h.data,
    table: new MemoryTable(),
    prod: { endpoints: h.workspaces.prod },
    engine: h.engine,
    events,
    clock: h.deps.clock,
    logger: h.deps.logger,
    artifactsContainer: 'autopilot-artifacts',
  };
  return { h, deps, events, now };
}

/** Writes prod inference data as the collector would: `x` drawn around `center`. */
async function traffic(h: Harness, rows: number, center: number, seq: number, extraLines = ''): Promise<string[]> {
  const time = h.deps.clock.now();
  const ids: string[] = [];
  const lines = Array.from({ length: rows }, (_, i) => {
    const x = center + Math.sin(i * 7.3 + seq) * 10;
    const record: InferenceRecord = {
      requestId: `req-${seq}-${i}`,
      endpoint: 'default-prod',
      environment: 'prod',
      deployment: 'v001',
      model: { name: 'default', version: 1 },
      time: new Date(time.getTime() - 1000).toISOString(),
      input: { x, color: i % 2 ? 'red' : 'blue' },
      prediction: x > 0 ? 'yes' : 'no',
      probabilities: x > 0 ? [0.1, 0.9] : [0.9, 0.1],
    };
    ids.push(record.requestId);
    return JSON.stringify(record);
  });
  await h.data.write(
    { container: INFERENCE_CONTAINER, name: inferenceBlobName('default-prod', 'v001', new Date(time.getTime() - 1000), seq) },
    lines.join('\n') + '\n' + extraLines,
  );
  return ids;
}

describe('runMonitor', () => {
  it('reports insufficient data for an empty window and does nothing else', async () => {
    const { deps, events } = await withModelInProd();
    const run = await runMonitor('default', deps, 'manual');
    expect(run.outcome).toBe('insufficient-data');
    expect(run.reasons[0]).toMatch(/window is empty/);
    expect(events.published).toEqual([]);
  });

  it('keeps quiet on same-distribution traffic and counts malformed inference lines', async () => {
    const { h, deps, events } = await withModelInProd();
    await traffic(h, 1500, 0, 1, 'not json\n{"requestId": 3}\n');
    const run = await runMonitor('default', deps, 'schedule');
    expect({ outcome: run.outcome, reasons: run.reasons.filter((r) => !/could not be read/.test(r)) }).toEqual({
      outcome: 'ok',
      reasons: [],
    });
    expect(run.rows).toBe(1500);
    expect(run.unreadable.malformedLines).toBe(2);
    expect(run.reasons.join('\n')).toMatch(/2 inference data lines could not be read/);
    expect(events.published).toEqual([]);
  });

  it('starts exactly one retraining release per drift episode, after the debounce', async () => {
    const { h, deps, events } = await withModelInProd();
    const outcomes = [];
    for (let seq = 1; seq <= 4; seq++) {
      await traffic(h, 1500, 8, seq);
      h.advance(60);
      outcomes.push(await runMonitor('default', deps, 'schedule'));
    }
    expect(outcomes.map((r) => r.outcome)).toEqual(['drift', 'drift', 'drift', 'drift']);
    expect(outcomes[0]!.retrain).toEqual({ skipped: 'drifted 1 of 2 consecutive runs before retraining' });
    expect(outcomes[1]!.retrain).toMatchObject({ releaseId: expect.any(String) });
    expect(outcomes[2]!.retrain).toEqual({ skipped: 'this drift episode already started a retrain' });
    const drift = (await h.engine.repo.list()).filter((r) => r.trigger.kind === 'drift');
    expect(drift).toHaveLength(1);
    expect(drift[0]!.data).toMatchObject({ container: 'autopilot-artifacts', blob: expect.stringMatching(/^retrain\/default\//) });
    expect(outcomes[0]!.reasons.join('\n')).toMatch(/feature x: /);
    expect(events.published.filter((e) => e.type === 'autopilot.DriftDetected')).toHaveLength(4);
  });

  it('counts an insufficient-data run as no drift: it breaks the debounce count, so drift on both sides of it starts no retrain', async () => {
    const { h, deps } = await withModelInProd();
    await traffic(h, 1500, 8, 1);
    h.advance(60);
    const first = await runMonitor('default', deps, 'schedule');
    // Past the window: nothing new arrived, so the next run has nothing to judge.
    h.advance(2 * 3600);
    const empty = await runMonitor('default', deps, 'schedule');
    await traffic(h, 1500, 8, 2);
    h.advance(60);
    const third = await runMonitor('default', deps, 'schedule');
    expect([first.outcome, empty.outcome, third.outcome]).toEqual(['drift', 'insufficient-data', 'drift']);
    expect(empty.retrain).toBeUndefined();
    expect(third.retrain).toEqual({ skipped: 'drifted 1 of 2 consecutive runs before retraining' });
    expect((await h.engine.repo.list()).filter((r) => r.trigger.kind === 'drift')).toEqual([]);
  });

  it('puts the figures behind a drift in the event: every metric compared, with its threshold, drifted or not', async () => {
    const { h, deps, events } = await withModelInProd();
    await traffic(h, 1500, 8, 1);
    const run = await runMonitor('default', deps, 'schedule');
    const [event] = events.published.filter((e) => e.type === 'autopilot.DriftDetected');
    // The fields webhooks and GET /api/events consumers read are unchanged.
    expect(event!.data).toMatchObject({
      pipeline: 'default',
      endpoint: 'default-prod',
      deployment: 'v001',
      rows: 1500,
      reasons: run.reasons,
    });
    const features = event!.data.features as {
      feature: string;
      role: string;
      metric: string;
      value: number;
      pValue?: number;
      adjustedPValue?: number;
      threshold: number;
      drifted: boolean;
    }[];
    const x = Object.fromEntries(features.filter((f) => f.feature === 'x').map((f) => [f.metric, f]));
    expect(Object.keys(x).sort()).toEqual(['jensen_shannon', 'ks', 'psi', 'wasserstein']);
    const xMetrics = run.report!.features.find((f) => f.feature === 'x')!.metrics;
    expect(x.psi).toEqual({
      feature: 'x',
      role: 'feature',
      metric: 'psi',
      value: xMetrics.psi,
      corrected: xMetrics.corrected!.psi,
      threshold: 0.2,
      drifted: true,
    });
    // KS and chi-squared: the Holm-adjusted p-value decides, against the family-wise α.
    expect(x.ks).toMatchObject({ drifted: true, pValue: expect.any(Number), adjustedPValue: expect.any(Number), threshold: 0.01 });
    expect(x.ks!.adjustedPValue).toBeGreaterThanOrEqual(x.ks!.pValue!);
    const color = features.filter((f) => f.feature === 'color');
    expect(color.map((f) => f.metric).sort()).toEqual(['chi2', 'jensen_shannon', 'psi']);
    expect(color.every((f) => !f.drifted)).toBe(true);
    expect(features.some((f) => f.role === 'prediction')).toBe(true);
    // Every drifted entry is one the human reasons name, and the other way round.
    const drifted = new Set(features.filter((f) => f.drifted).map((f) => f.feature));
    expect([...drifted].sort()).toEqual(run.report!.reasons.map((r) => /^(?:feature|prediction) (\S+):/.exec(r)![1]).sort());
  });

  it('judges model quality from ground truth joined by request id, and names unknown ids', async () => {
    const { h, deps, events } = await withModelInProd();
    const ids = await traffic(h, 1500, 0, 1);
    // Labels say the opposite of what the model predicted for 100 requests.
    const labels = ids.slice(0, 100).map((id, i) => `${id},${Math.sin(i * 7.3 + 1) * 10 > 0 ? 'no' : 'yes'}`);
    await h.data.write(
      { container: GROUND_TRUTH_CONTAINER, name: 'default/labels-1.csv' },
      ['request_id,label', ...labels, 'req-unknown,yes', ',yes'].join('\n'),
    );
    const run = await runMonitor('default', deps, 'manual');
    expect(run.outcome).toBe('model-quality');
    expect(run.quality).toMatchObject({ labelled: 100, unknownRequestIds: 1, malformedRows: 1, metrics: { accuracy: 0 } });
    expect(run.reasons.join('\n')).toMatch(/model quality: accuracy 0.000 in production vs 1.000 at evaluation/);
    expect(run.reasons.join('\n')).toMatch(/1 labels name request ids not scored in the window/);
    expect(events.published.map((e) => e.type)).toEqual(['autopilot.QualityDegraded']);
  });

  it("imports what the platform collected and keeps, among the run's reasons, the events it could not read", async () => {
    const { h, deps } = await withModelInProd();
    const time = new Date(h.deps.clock.now().getTime() - 1000);
    const records: InferenceRecord[] = Array.from({ length: 1500 }, (_, i) => {
      const x = Math.sin(i * 7.3) * 10;
      return {
        requestId: `c-${i}`,
        endpoint: 'default-prod',
        environment: 'prod',
        deployment: 'v001',
        model: { name: 'default', version: 1 },
        time: time.toISOString(),
        input: { x, color: i % 2 ? 'red' : 'blue' },
        prediction: x > 0 ? 'yes' : 'no',
      };
    });
    const prod = {
      endpoints: h.workspaces.prod,
      collected: {
        async *collectedInference() {
          yield {
            deployment: 'v001',
            hour: new Date(Math.floor(time.getTime() / 3_600_000) * 3_600_000).toISOString(),
            records,
            uncollectable: 3,
            reasons: ['a collected line is not JSON'],
            synthetic: 0,
          };
        },
      },
    };
    const run = await runMonitor('default', { ...deps, prod }, 'schedule');
    expect(run.rows).toBe(1500);
    expect(run.reasons.join('\n')).toMatch(/3 collected events could not be read \(a collected line is not JSON\)/);
  });

  it("goes on with the data it has when the collector's store cannot be read, and says why", async () => {
    const { h, deps } = await withModelInProd();
    await traffic(h, 1500, 0, 1);
    const prod = {
      endpoints: h.workspaces.prod,
      collected: {
        // eslint-disable-next-line require-yield
        async *collectedInference(): AsyncGenerator<never> {
          throw new Error('AuthorizationPermissionMismatch: the app has no Storage Blob Data Reader on the workspace storage');
        },
      },
    };
    const run = await runMonitor('default', { ...deps, prod }, 'schedule');
    expect(run.rows).toBe(1500);
    expect(run.reasons.join('\n')).toMatch(/collected data could not be read: AuthorizationPermissionMismatch/);
  });

  it('a run with no model to watch waits for the next interval like any run, and its repeat is not logged', async () => {
    const h = harness('queue');
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
    const first = await runMonitor('default', deps, 'schedule');
    expect(first.outcome).toBe('no-model');
    // It was due on every 10 s tick before: a run row and a log line each time.
    expect(await monitorDue(deps.table, 'default', 300, h.deps.clock.now())).toBe(false);
    h.advance(300);
    expect(await monitorDue(deps.table, 'default', 300, h.deps.clock.now())).toBe(true);
    const second = await runMonitor('default', deps, 'schedule');
    expect(monitorLogLine(undefined, first)).toMatch(/no-model on 0 rows/);
    expect(monitorLogLine(first, second)).toBeUndefined();
    expect(monitorLogLine(first, { ...second, outcome: 'drift' } as MonitorRun)).toMatch(/drift/);
  });

  it('keeps the episode open for a retrain when drift found no training data to retrain on', async () => {
    const { h, deps } = await withModelInProd();
    h.advance(31 * 86_400); // the training upload is now older than retrain.dataWindowDays (30)
    const outcomes = [];
    for (let seq = 1; seq <= 2; seq++) {
      await traffic(h, 1500, 8, seq);
      h.advance(60);
      outcomes.push(await runMonitor('default', deps, 'schedule'));
    }
    expect(outcomes[1]!.retrain).toEqual({ skipped: 'no training data in the retraining window' });
    // New data arrives while the drift goes on: the next drifted run retrains on it.
    await h.upload('default/day40.csv', csv(3000));
    await traffic(h, 1500, 8, 3);
    h.advance(60);
    const third = await runMonitor('default', deps, 'schedule');
    expect(third.retrain).toMatchObject({ releaseId: expect.any(String) });
    expect((await h.engine.repo.list()).filter((r) => r.trigger.kind === 'drift')).toHaveLength(1);
  });

  it('retrains at once on drift reported by Azure ML or Azure Monitor, once per episode', async () => {
    const { h, deps, events } = await withModelInProd();
    const first = await signalDrift('default', deps, 'azure-ml', 'dataset drift monitor default: drift coefficient 0.8');
    const second = await signalDrift('default', deps, 'azure-monitor', 'alert feature-drift fired');
    expect(first).toMatchObject({ outcome: 'drift', trigger: 'external', retrain: { releaseId: expect.any(String) } });
    expect(second.retrain).toEqual({ skipped: 'this drift episode already started a retrain' });
    expect((await h.engine.repo.list()).filter((r) => r.trigger.kind === 'drift')).toHaveLength(1);
    expect(events.published.map((e) => e.type)).toEqual(['autopilot.DriftDetected', 'autopilot.DriftDetected']);
  });
});
