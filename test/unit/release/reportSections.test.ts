import { parseBlobCreated } from '../../../shared/events/blobCreated';
import { inferenceBlobName } from '../../../shared/monitoring/inferenceBlobName';
import { INFERENCE_CONTAINER } from '../../../shared/monitoring/inferenceRecord';
import { getMonitorRun, runMonitor, type MonitorDeps } from '../../../shared/monitoring/runMonitor';
import type { DeploymentTraffic, ModelVersion } from '../../../shared/ports';
import { releaseReport } from '../../../shared/release/report';
import { reportMarkdown } from '../../../shared/release/reportMarkdown';
import { reportSources } from '../../../shared/release/reportSources';
import { MemoryTable } from './fakes';
import { csv, harness } from './harness';

const arm = (requests: number, errors: number): DeploymentTraffic => ({
  requests,
  errors,
  synthetic: requests,
  slowerThan: [requests / 2, requests / 100],
  predictions: { no: requests * 0.7, yes: requests * 0.3 },
  latencyP50Ms: 10,
  latencyP99Ms: 40,
});

/** Release 1 goes straight to prod; release 2 walks a canary with the given traffic. */
async function canaryRelease(traffic: Record<string, DeploymentTraffic>) {
  const h = harness();
  await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv())));
  await h.drain();
  h.workspaces.prod.scorer = (_s, req) => ({
    predictions: req.input_data.data.map(() => 'no'),
    probabilities: req.input_data.data.map(() => [0.5, 0.5]),
    classes: ['no', 'yes'],
  });
  h.workspaces.prod.traffic = () => structuredClone(traffic);
  await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day2.csv', csv(60, 2))));
  await h.drain();
  const release = (await h.engine.repo.list())[0]!;
  return { h, release, audit: await h.engine.repo.auditLog(release.id) };
}

describe('the decision record: canary analysis', () => {
  it('summarises the looks: how many, the test parameters, error rates per arm, each metric against its boundary', async () => {
    const { release, audit } = await canaryRelease({ v002: arm(200, 20), v001: arm(200, 0) });
    expect(release.status).toBe('rolled_back');
    const { canary } = releaseReport(release, audit);
    const looks = release.canary!.looks.length;
    expect(canary).toMatchObject({
      verdict: 'rollback',
      looks,
      looksKept: looks,
      lastLookAt: release.canary!.looks.at(-1)!.at,
      test: { alpha: 0.01, power: 0.95, minDetectable: { errors: { risk: 3, rateFloor: 0.01 } }, latencyThresholdsMs: [20, 50] },
      arms: { canary: { requests: 200 * looks, errors: 20 * looks, errorRate: 0.1 }, stable: { errors: 0, errorRate: 0 } },
    });
    expect(canary!.metrics.find((m) => m.id === 'errors')).toMatchObject({ rejected: true });

    const md = reportMarkdown(releaseReport(release, audit));
    expect(md).toContain(`- rollback after 1 step(s) and ${looks} look(s), the last at ${canary!.lastLookAt}`);
    expect(md).toMatch(
      /- Test: always-valid sequential test, α = 0\.01 shared by all metrics, power 95% against the minimum detectable regressions: errors 3× \(at least 1%\), latencyP50 1\.5× \(at least 5%\)/,
    );
    expect(md).toContain('- Latency counted against 20.0 ms and 50.0 ms');
    expect(md).toContain(`- Errors: canary 10% (${20 * looks} of ${200 * looks}), stable 0% (0 of ${200 * looks})`);
    expect(md).toMatch(/\| errors \| \d+\.\d{3} \| 5\.991 \| rejected: regression \|/);
    expect(md).toMatch(/\| class:no \| -?\d+\.\d{3} \| \d+\.\d{3} \| (gathering evidence|enough evidence) \|/);
  });
});

describe('the decision record: model lineage', () => {
  it('shows the registered version: data with its eTag, training job, code hash, tags and metrics', async () => {
    const { h, release, audit } = await canaryRelease({ v002: arm(200, 0), v001: arm(200, 0) });
    const model = (await h.workspaces.dev.getModel(release.model!))!;
    const { lineage } = releaseReport(release, audit, { model });
    expect(lineage).toMatchObject({
      model: { name: 'default', version: 2 },
      data: { eTag: release.data!.eTag, url: release.data!.url },
      trainingJob: release.job!.name,
      releaseId: release.id,
      tags: { 'autopilot.release': release.id, 'autopilot.gate': 'passed' },
      metrics: release.metrics.candidate,
    });
    const md = reportMarkdown(releaseReport(release, audit, { model }));
    expect(md).toContain(`## Model lineage\n\n- default v2, registered ${model.createdAt}, sha256 ${model.sha256}`);
    expect(md).toContain(`- Training job ${release.job!.name}`);
    expect(md).toContain(`(eTag ${release.data!.eTag})`);
    expect(md).toContain(`| autopilot.release | ${release.id} |`);
  });

  it('leaves a SAS token in the data URL out of the record', async () => {
    const { release, audit } = await canaryRelease({ v002: arm(200, 0), v001: arm(200, 0) });
    const model: ModelVersion = {
      name: 'default',
      version: release.model!.version,
      createdAt: 't',
      path: '/m',
      sha256: 'abc',
      metrics: {},
      tags: {},
      idempotencyKey: release.id,
      lineage: { dataUrl: 'https://acct.blob.core.windows.net/training-data/day2.csv?sv=2024&sig=SECRET', codeHash: 'c0de' },
    };
    const report = releaseReport(release, audit, { model });
    expect(report.lineage?.data.url).toBe('https://acct.blob.core.windows.net/training-data/day2.csv');
    expect(JSON.stringify(report) + reportMarkdown(report)).not.toContain('SECRET');
  });

  it("refuses a model version that is not the release's, naming both", async () => {
    const { release, audit } = await canaryRelease({ v002: arm(200, 0), v001: arm(200, 0) });
    const other = { name: 'default', version: 1 } as ModelVersion;
    expect(() => releaseReport(release, audit, { model: other })).toThrow(
      new RangeError(
        `releaseReport: model default v1 is not release ${release.id}'s model; pass the version the release registered (release.model)`,
      ),
    );
  });
});

describe('the decision record: what triggered a retraining release', () => {
  it('names the monitor run, its reasons and the drifted columns, looked up by the trigger', async () => {
    const h = harness('queue', '    monitoring: { retrain: { debounceRuns: 1 } }\n');
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv(1500))));
    await h.drain();
    const deps: MonitorDeps = {
      config: h.deps.config,
      data: h.data,
      table: new MemoryTable(),
      prod: { endpoints: h.workspaces.prod },
      engine: h.engine,
      events: { publish: async () => undefined },
      clock: h.deps.clock,
      logger: h.deps.logger,
      artifactsContainer: 'autopilot-artifacts',
    };
    // Prod traffic far from the training data: x around 8 instead of 0.
    const time = new Date(h.deps.clock.now().getTime() - 1000);
    const lines = Array.from({ length: 1500 }, (_, i) => {
      const x = 8 + Math.sin(i * 7.3) * 10;
      return JSON.stringify({
        requestId: `r${i}`,
        endpoint: 'default-prod',
        environment: 'prod',
        deployment: 'v001',
        model: { name: 'default', version: 1 },
        time: time.toISOString(),
        input: { x, color: i % 2 ? 'red' : 'blue' },
        prediction: x > 0 ? 'yes' : 'no',
      });
    });
    await h.data.write(
      { container: INFERENCE_CONTAINER, name: inferenceBlobName('default-prod', 'v001', time, 1) },
      lines.join('\n') + '\n',
    );
    const run = await runMonitor('default', deps, 'schedule');
    expect(run.retrain).toMatchObject({ releaseId: expect.any(String) });
    await h.drain();
    const release = (await h.engine.repo.get((run.retrain as { releaseId: string }).releaseId))!.value;

    expect(await getMonitorRun(deps.table, 'default', run.id)).toEqual(run);
    expect(await getMonitorRun(deps.table, 'default', 'default-20261128T100000000Z')).toBeUndefined();
    const sources = await reportSources(release, { registry: h.workspaces.dev, table: deps.table });
    expect(sources.monitorRun?.id).toBe(run.id);
    expect(sources.model).toMatchObject(release.model!);
    const report = releaseReport(release, await h.engine.repo.auditLog(release.id), sources);
    expect(report.triggeredBy).toMatchObject({
      id: run.id,
      trigger: 'schedule',
      outcome: 'drift',
      rows: 1500,
      reasons: run.reasons,
      model: { name: 'default', version: 1 },
    });
    expect(report.triggeredBy!.breached.map((b) => `${b.role} ${b.feature}`)).toContain('feature x');
    const md = reportMarkdown(report);
    expect(md).toContain(
      `## Trigger\n\n- schedule monitor run ${run.id} at ${run.at}: drift on 1500 rows of default-prod (serving default v1)`,
    );
    expect(md).toMatch(/\| feature x \| [a-zA-Z, ]*psi[a-zA-Z, ]* \| [^|]*PSI \d[^|]*\|/);
  });

  it('leaves the section out when the run is gone, and refuses a run the trigger does not name', async () => {
    const { h, release, audit } = await canaryRelease({ v002: arm(200, 0), v001: arm(200, 0) });
    const drifted = { ...release, trigger: { kind: 'drift' as const, eventId: 'default-20261128T100000000Z' } };
    expect(await reportSources(drifted, { registry: h.workspaces.dev, table: new MemoryTable() })).not.toHaveProperty('monitorRun');
    const run = { id: 'default-20261128T110000000Z' } as never;
    expect(() => releaseReport(drifted, audit, { monitorRun: run })).toThrow(
      /monitor run default-20261128T110000000Z did not trigger release .*; pass the run its trigger names/,
    );
  });
});
