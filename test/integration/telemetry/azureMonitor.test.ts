import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppInsightsFake } from '../../fakes/appInsights/AppInsightsFake';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';

const RELEASE = 'churn-20250301-100000-abc123';
const SECRET = 'c3RvcmFnZS1rZXktZG8tbm90LWxlYWs=';
const IKEY = '00000000-0000-0000-0000-000000000001';

interface ChildReport {
  forwarded: { type: string; data: Record<string, unknown> }[][];
  hostLines: string[];
  mode: string;
}

/** Runs azureMonitorChild.ts against the fake and returns what it printed. */
function runChild(env: NodeJS.ProcessEnv): Promise<ChildReport> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, 'azureMonitorChild.ts')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done(JSON.parse(out.trim().split('\n').pop()!) as ChildReport) : fail(new Error(`child exited ${code}: ${err}`)),
    );
  });
}

describe('telemetry to Application Insights (Azure Monitor distro against a local ingestion fake)', () => {
  let fake: AppInsightsFake;
  let dir: string;
  let report: ChildReport;

  beforeAll(async () => {
    const tls = selfSignedCert();
    dir = mkdtempSync(join(tmpdir(), 'appinsights-'));
    writeFileSync(join(dir, 'ca.pem'), tls.cert);
    fake = await AppInsightsFake.start(tls);
    report = await runChild({
      PATH: process.env.PATH,
      HOME: dir,
      TMPDIR: dir,
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      APPLICATIONINSIGHTS_CONNECTION_STRING: fake.connectionString(IKEY),
      // The exporter's own usage statistics go to Microsoft's endpoints, not the connection string's.
      APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
      TEST_RELEASE_ID: RELEASE,
      TEST_SECRET: SECRET,
    });
  });
  afterAll(async () => {
    await fake?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts the Azure Monitor distro when APPLICATIONINSIGHTS_CONNECTION_STRING is set, and sends valid envelopes to POST /v2.1/track', () => {
    expect(report.mode).toBe('azure-monitor');
    expect(fake.calls.length).toBeGreaterThan(0);
    expect(fake.calls.every((c) => c.path === '/v2.1/track' && c.status === 200)).toBe(true);
    expect(fake.envelopes.every((e) => e.iKey === IKEY && e.tags?.['ai.cloud.role'] === 'mlops-autopilot')).toBe(true);
  });

  it('sends the custom metrics with their pipeline, stage, outcome, reason and feature dimensions', () => {
    const metrics = fake.metrics().filter((m) => m.name.startsWith('autopilot.'));
    expect(metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'autopilot.stage.outcomes',
          value: 1,
          properties: { pipeline: 'churn', stage: 'approval', outcome: 'succeeded' },
        }),
        expect.objectContaining({
          name: 'autopilot.stage.outcomes',
          value: 1,
          properties: { pipeline: 'churn', stage: 'canary', outcome: 'rolled_back' },
        }),
        expect.objectContaining({
          name: 'autopilot.release.duration',
          value: 1800,
          count: 1,
          properties: { pipeline: 'churn', outcome: 'rolled_back' },
        }),
        expect.objectContaining({
          name: 'autopilot.rollbacks',
          value: 1,
          properties: { pipeline: 'churn', reason: 'canary-analysis', phase: 'canary' },
        }),
        expect.objectContaining({
          name: 'autopilot.drift.score',
          value: 0.42,
          properties: { pipeline: 'churn', feature: 'tenure', metric: 'psi', drifted: 'true' },
        }),
        expect.objectContaining({
          name: 'autopilot.drift.score',
          value: 0.05,
          properties: { pipeline: 'churn', feature: 'tenure', metric: 'ks', drifted: 'false' },
        }),
        expect.objectContaining({ name: 'autopilot.drift.detections', value: 1, properties: { pipeline: 'churn', source: 'monitor' } }),
      ]),
    );
  });

  it('sends the release.step span and the publish spans with the release id, pipeline and stage, in one operation', () => {
    const spans = fake.ofType('RemoteDependencyData').map((e) => ({
      name: (e.data.baseData as { name: string }).name,
      properties: e.data.baseData.properties ?? {},
      operation: e.tags?.['ai.operation.id'],
    }));
    const step = spans.find((s) => s.name === 'release.step');
    expect(step?.properties).toEqual({ releaseId: RELEASE, pipeline: 'churn', stage: 'canary' });
    const rollback = spans.find((s) => s.name === 'publish autopilot.ReleaseRolledBack');
    expect(rollback?.properties).toMatchObject({
      releaseId: RELEASE,
      pipeline: 'churn',
      stage: 'canary',
      'autopilot.event.type': 'autopilot.ReleaseRolledBack',
    });
    expect(rollback?.operation).toBe(step?.operation);
  });

  it('sends log lines as traces whose customDimensions carry the correlation, and writes them through the invocation context too', () => {
    const [trace] = fake
      .ofType('MessageData')
      .filter((e) => (e.data.baseData as { message: string }).message === 'canary verdict: rollback');
    expect(trace?.data.baseData.properties).toMatchObject({
      releaseId: RELEASE,
      pipeline: 'churn',
      stage: 'canary',
      storageConnection: '[redacted]',
    });
    expect(report.hostLines).toEqual([
      `canary verdict: rollback {"releaseId":"${RELEASE}","pipeline":"churn","stage":"canary","storageConnection":"[redacted]"}`,
    ]);
  });

  it('forwards every event unchanged to the inner publisher but copies no secret from event data or logs into telemetry', () => {
    expect(report.forwarded.map((b) => b.map((e) => e.type))).toEqual([
      ['autopilot.ReleaseStageCompleted'],
      ['autopilot.ReleaseRolledBack'],
      ['autopilot.DriftDetected'],
    ]);
    expect(JSON.stringify(report.forwarded)).toContain(SECRET); // the inner publisher got the data as it was
    const sent = fake.calls.map((c) => c.rawBody).join('\n');
    expect(sent).not.toContain(SECRET);
    expect(sent).not.toContain('AccountKey');
  });
});
