import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:https';
import { MetricsClient } from '@azure/monitor-query-metrics';
import { trustAgent } from '../../../adapters/azure/armMlClient';
import { azureMlWorkspace, type AzureMlWorkspace } from '../../../adapters/azure/workspace/AzureMlWorkspace';
import { NotFoundError } from '../../../shared/errors';
import { BatchEndpointRequiredError } from '../../../adapters/azure/workspace/scoringTargets';
import { staticTokenCredential } from '../../../adapters/azure/workspace/staticTokenCredential';
import { ArmMlFake } from '../../fakes/armMl/ArmMlFake';
import { FakeMonitorMetrics, METRICS_API_VERSION, ONLINE_ENDPOINT_NAMESPACE } from '../../fakes/armMl/FakeMonitorMetrics';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';
import { codeRoutes } from '../../fakes/armMl/codeRoutes';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { waitFor } from '../../support/waitFor';

const DEPLOYMENT_SPEC = `
code_configuration: { code: ., scoring_script: score.py }
environment: azureml:score-env:3
instance_type: Standard_DS3_v2
`;
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000002';
const ROWS = {
  input_data: {
    columns: ['tenure', 'plan'],
    data: [
      [3, 'basic'],
      [40, 'pro'],
    ],
  },
};
const NOW = new Date('2026-11-28T12:04:30Z');
/** The adapter's clock: metric windows read it, and synthetic loads schedule requests by it, so load tests step it instead of timing a window. */
let clockMs = NOW.getTime();

let fake: ArmMlFake;
let metrics: FakeMonitorMetrics;
let azurite: RunningAzurite; // holds the uploaded scoring code
let cert: string;
let dir: string;
let ws: AzureMlWorkspace;

beforeAll(async () => {
  const tls = selfSignedCert();
  cert = tls.cert;
  [fake, metrics, azurite] = await Promise.all([ArmMlFake.start(tls), FakeMonitorMetrics.start(tls), startAzurite()]);
  fake.seedEnvironment('score-env', '3');
  fake.addRoute((await codeRoutes(azurite.ports.blob)).route);
  dir = mkdtempSync(join(tmpdir(), 'azml-score-'));
  writeFileSync(join(dir, 'deployment.yaml'), DEPLOYMENT_SPEC);
  ws = azureMlWorkspace({
    environment: 'prod',
    subscriptionId: SUBSCRIPTION,
    resourceGroup: 'rg-mlops',
    workspace: 'ws-prod',
    location: 'westeurope',
    credential: staticTokenCredential('fake-token'),
    endpoint: fake.url,
    metricsEndpoint: metrics.url,
    trustedCa: cert,
    pollIntervalMs: 10,
    now: () => new Date(clockMs),
  });
  const spec = join(dir, 'deployment.yaml');
  await ws.endpoints.deploy({ endpoint: 'score-ep', deployment: 'blue', model: { name: 'churn', version: 1 }, specPath: spec });
  await ws.endpoints.deploy({ endpoint: 'score-ep', deployment: 'green', model: { name: 'churn', version: 2 }, specPath: spec });
  await ws.endpoints.setTraffic('score-ep', { blue: 100 });
});

afterAll(async () => {
  await ws?.stop();
  await Promise.all([fake?.stop(), metrics?.stop(), azurite?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('AzureMlWorkspace scoring and traffic against the fakes', () => {
  test('invokes the endpoint with its listed key, routes to a named deployment, marks synthetic requests and lists keys once', async () => {
    const toGreen = await ws.scoring.invokeEndpoint('score-ep', ROWS, { deployment: 'green', synthetic: true });
    expect(toGreen).toMatchObject({ status: 200, deployment: 'green', body: { predictions: ['churn/versions/2', 'churn/versions/2'] } });
    expect(toGreen.latencyMs).toBeGreaterThanOrEqual(0);
    const bySplit = await ws.scoring.invokeEndpoint('score-ep', ROWS);
    expect(bySplit).toMatchObject({ status: 200, deployment: 'blue', body: { predictions: ['churn/versions/1', 'churn/versions/1'] } });

    const [first, second] = fake.scoring.calls.slice(-2);
    expect(first).toMatchObject({ authorization: `Bearer ${fake.scoring.keyFor('score-ep')}`, deployment: 'green', synthetic: '1' });
    expect(second).toMatchObject({ deployment: undefined, synthetic: undefined });
    expect(fake.callsTo('POST', '/onlineEndpoints/score-ep/listKeys')).toHaveLength(1);
  });

  test('returns a 500 of the scoring script as a result, naming the deployment that failed', async () => {
    fake.scoring.failNext('score-ep', 500);
    const failed = await ws.scoring.invokeEndpoint('score-ep', ROWS, { deployment: 'green' });
    expect(failed).toMatchObject({ status: 500, deployment: 'green', body: { error: 'scoring script raised' } });
  });

  test('answers a 401 for a rotated key as a result, then lists the new key and succeeds', async () => {
    await ws.scoring.invokeEndpoint('score-ep', ROWS);
    const listed = fake.callsTo('POST', '/onlineEndpoints/score-ep/listKeys').length;
    fake.scoring.rotateKey('score-ep');
    expect(await ws.scoring.invokeEndpoint('score-ep', ROWS)).toMatchObject({ status: 401, body: { error: 'invalid key' } });
    expect((await ws.scoring.invokeEndpoint('score-ep', ROWS)).status).toBe(200);
    expect(fake.callsTo('POST', '/onlineEndpoints/score-ep/listKeys')).toHaveLength(listed + 1);
  });

  test('scores a batch through the deployment serving the model, and refuses a model no deployment serves', async () => {
    const scored = await ws.batch.scoreBatch({ name: 'churn', version: 2 }, join(dir, 'deployment.yaml'), ROWS);
    expect(scored.predictions).toEqual(['churn/versions/2', 'churn/versions/2']);
    expect(fake.scoring.calls.at(-1)).toMatchObject({ deployment: 'green' });

    const undeployed = ws.batch.scoreBatch({ name: 'churn', version: 7 }, join(dir, 'deployment.yaml'), ROWS);
    await expect(undeployed).rejects.toThrow(BatchEndpointRequiredError);
    await expect(undeployed).rejects.toThrow(/model churn:7.*batch endpoint.*not supported yet/);
  });

  test('scores a job output through an evaluation deployment without live traffic, and removes it when scoring is done', async () => {
    const scored = await ws.batch.scoreBatch({ job: 'train-r9', output: 'model' }, join(dir, 'deployment.yaml'), ROWS);
    expect(scored.predictions).toEqual(['autopilot-evaluation/versions/1', 'autopilot-evaluation/versions/1']);
    const evaluation = (await ws.endpoints.listEndpoints()).find((e) => e.name.startsWith('autopilot-eval-'))!;
    expect(evaluation.traffic).toEqual({});
    expect(evaluation.deployments).toHaveLength(1);
    expect((await ws.models.getModel({ name: 'autopilot-evaluation', version: 1 }))?.tags).toMatchObject({ 'autopilot.job': 'train-r9' });
    // The second batch of the same evaluation reuses the deployment without looking it up in ARM again.
    const armCalls = fake.calls.length;
    await ws.batch.scoreBatch({ job: 'train-r9', output: 'model' }, join(dir, 'deployment.yaml'), ROWS);
    expect(fake.calls.slice(armCalls)).toEqual([]);
    expect((await ws.endpoints.getEndpoint(evaluation.name))!.deployments).toHaveLength(1);
    await ws.batch.finishedScoring({ job: 'train-r9', output: 'model' });
    expect((await ws.endpoints.getEndpoint(evaluation.name))!.deployments).toEqual([]);
  });

  test('maps Monitor metrics per deployment into requests, 5xx errors, latency percentiles and estimated slow counts up to the last minute Monitor has surely published', async () => {
    const id = `${ws.workspacePath}/onlineEndpoints/score-ep`;
    const at = (minute: number) => `2026-11-28T12:0${minute}:00Z`;
    // One sample per minute and dimension combination, as the service emits them: two 5xx codes in one minute are two samples.
    const req = (minute: number, deployment: string, statusCode: string, value: number) => ({
      timeStamp: at(minute),
      dimensions: { deployment, statusCode, statusCodeClass: `${statusCode[0]}xx`, modelStatusCode: statusCode },
      value,
    });
    metrics.addPoints(id, 'RequestsPerMinute', [
      req(0, 'blue', '200', 100),
      req(1, 'blue', '200', 120),
      req(1, 'blue', '500', 1),
      req(1, 'blue', '503', 1),
      req(2, 'green', '200', 10),
      req(2, 'green', '502', 5),
      req(3, 'blue', '200', 999), // ended 30 s ago: Monitor may not have published it whole yet (60 s delay by default)
    ]);
    const lat = (minute: number, deployment: string, value: number) => ({ timeStamp: at(minute), dimensions: { deployment }, value });
    metrics.addPoints(id, 'RequestLatency_P50', [lat(0, 'blue', 40), lat(1, 'blue', 45), lat(2, 'green', 80)]);
    metrics.addPoints(id, 'RequestLatency_P99', [lat(0, 'blue', 180), lat(1, 'blue', 200), lat(2, 'green', 900)]);

    const window = await ws.traffic.trafficSince('score-ep', '2026-11-28T12:00:00.000Z', [30, 500]);
    expect(window.until).toBe('2026-11-28T12:03:00.000Z');
    expect(window.byDeployment).toEqual({
      blue: { requests: 222, errors: 2, latencyP50Ms: 45, latencyP99Ms: 200, slowerThan: [111, 0], predictions: {}, synthetic: 0 },
      green: { requests: 15, errors: 5, latencyP50Ms: 80, latencyP99Ms: 900, slowerThan: [8, 4], predictions: {}, synthetic: 0 },
    });

    const calls = metrics.calls.filter((c) => c.status === 200);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.path).toBe(`/subscriptions/${SUBSCRIPTION}/metrics:getBatch`);
      expect(call.query).toMatchObject({
        'api-version': METRICS_API_VERSION,
        metricnamespace: ONLINE_ENDPOINT_NAMESPACE,
        interval: 'PT1M',
        endtime: window.until,
      });
      expect(call.body).toEqual({ resourceids: [id] });
    }
    expect(calls.map((c) => c.query.metricnames).sort()).toEqual(['RequestLatency_P50,RequestLatency_P99', 'RequestsPerMinute']);

    const next = await ws.traffic.trafficSince('score-ep', window.until, [30]);
    expect(next).toEqual({ since: window.until, until: window.until, byDeployment: {} });
  });

  test('the Monitor fake answers RequestsPerMinute as Azure does: Average only (the Total query sent before is refused), unsplit samples merged into their mean', async () => {
    const id = `${ws.workspacePath}/onlineEndpoints/score-ep`;
    const sample = (statusCode: string, value: number) => ({
      timeStamp: '2026-11-28T11:50:00Z',
      dimensions: { deployment: 'amber', statusCode, statusCodeClass: `${statusCode[0]}xx`, modelStatusCode: statusCode },
      value,
    });
    metrics.addPoints(id, 'RequestsPerMinute', [sample('500', 4), sample('503', 2)]);
    const client = new MetricsClient(metrics.url, staticTokenCredential('fake-token'));
    trustAgent(client.pipeline, new Agent({ ca: cert }));
    const window = { startTime: new Date('2026-11-28T11:50:00Z'), endTime: new Date('2026-11-28T11:51:00Z'), interval: 'PT1M' };
    const namespace = 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints';
    await expect(
      client.queryResources([id], ['RequestsPerMinute'], namespace, {
        ...window,
        aggregation: 'Total',
        filter: "deployment eq '*' and statusCodeClass eq '*'",
      }),
    ).rejects.toThrow(/does not support aggregation total; supported: average/);
    const [merged] = await client.queryResources([id], ['RequestsPerMinute'], namespace, {
      ...window,
      aggregation: 'Average',
      filter: "deployment eq '*' and statusCodeClass eq '*'",
    });
    expect(merged!.getMetricByName('RequestsPerMinute')!.timeseries[0]!.data![0]!.average).toBe(3); // (4 + 2) / 2, not 6
    // What the adapter asks (every dimension split, then summed) counts all six.
    const traffic = await ws.traffic.trafficSince('score-ep', '2026-11-28T11:50:00.000Z', []);
    expect(traffic.byDeployment['amber']).toMatchObject({ requests: 6, errors: 6 });
  });

  test('sends synthetic load at the asked rate of the adapter clock, at random over the named deployments, until stopLoad', async () => {
    const before = fake.scoring.calls.length;
    const synthetic = () => fake.scoring.calls.slice(before).filter((c) => c.synthetic === '1');
    const answered = (n: number) => () => ws.load.loadStatus('r-load')?.completed === n && ws.load.loadStatus('r-load')?.inFlight === 0;
    // Counted against the stepped clock, not a wall-clock window: a loaded machine delays the requests, never changes how many are due.
    await ws.load.ensureLoad({
      id: 'r-load',
      endpoint: 'score-ep',
      deployments: ['blue', 'green'],
      request: ROWS,
      requestsPerSecond: 10,
      until: new Date(clockMs + 60_000).toISOString(),
    });
    await waitFor('the first answer', answered(1), { intervalMs: 20 }); // the first request goes out at once
    clockMs += 1000; // one second of the clock: ten more are due
    await waitFor('eleven answers', answered(11), { intervalMs: 20 });
    await ws.load.stopLoad('r-load');
    const sent = synthetic();
    expect(sent).toHaveLength(11);
    // Each request's deployment is its own fair draw (the canary's fairness rests on it): only named ones, counted per arm.
    const toBlue = sent.filter((c) => c.deployment === 'blue').length;
    expect(toBlue + sent.filter((c) => c.deployment === 'green').length).toBe(11);
    expect(sent.every((c) => c.status === 200)).toBe(true);
    expect(ws.load.loadStatus('r-load')).toMatchObject({ running: false, sent: 11, completed: 11, skipped: 0, errors: 0 });
    const answeredBy = ws.load.loadStatus('r-load')!.answeredBy;
    expect((answeredBy['blue'] ?? 0) + (answeredBy['green'] ?? 0)).toBe(11);
    expect(answeredBy['blue'] ?? 0).toBe(toBlue);
  });

  test('stops a load at its until time by itself, and every load when the adapter stops', async () => {
    const before = fake.scoring.calls.length;
    await ws.load.ensureLoad({
      id: 'r-short',
      endpoint: 'score-ep',
      deployments: [],
      request: ROWS,
      requestsPerSecond: 20,
      until: new Date(clockMs + 300).toISOString(),
    });
    await waitFor('one completed request', () => ws.load.loadStatus('r-short')?.completed === 1, { intervalMs: 20 });
    expect(ws.load.loadStatus('r-short')?.running).toBe(true);
    clockMs += 300; // `until` reached: the next tick sends what fell due before it (at 50, 100 ... 250 ms), then stops
    await waitFor(
      'the load to stop with nothing in flight',
      () => ws.load.loadStatus('r-short')?.running === false && ws.load.loadStatus('r-short')?.inFlight === 0,
      { intervalMs: 20 },
    );
    const short = fake.scoring.calls.slice(before);
    expect(short).toHaveLength(6);
    // No deployment named: no routing header, so the endpoint's split applies.
    expect(short.every((c) => c.deployment === undefined && c.synthetic === '1')).toBe(true);

    await ws.load.ensureLoad({
      id: 'r-long',
      endpoint: 'score-ep',
      deployments: ['green'],
      request: ROWS,
      requestsPerSecond: 20,
      until: new Date(clockMs + 60_000).toISOString(),
    });
    expect(ws.load.loadStatus('r-long')?.running).toBe(true);
    await ws.stop();
    expect(ws.load.loadStatus('r-long')?.running).toBe(false);
  });

  test('refuses a load above 500 requests per second, or aimed at a deployment or endpoint that does not exist', async () => {
    const load = {
      id: 'r-fast',
      endpoint: 'score-ep',
      deployments: ['blue'],
      request: ROWS,
      requestsPerSecond: 501,
      until: new Date(Date.now() + 1000).toISOString(),
    };
    await expect(ws.load.ensureLoad(load)).rejects.toThrow(/at most 500 requests per second/);
    await expect(ws.load.ensureLoad({ ...load, requestsPerSecond: 10, deployments: ['purple'] })).rejects.toThrow(
      /deployment 'purple' does not exist on endpoint 'score-ep' \(deployments: blue, green\)/,
    );
    await expect(ws.load.ensureLoad({ ...load, requestsPerSecond: 10, endpoint: 'no-such-ep' })).rejects.toThrow(NotFoundError);
  });

  test("reports mirrored requests and both sides' 5xx since the shadow was set, with nothing compared", async () => {
    let clock = new Date('2026-11-28T12:10:20Z');
    const options = {
      environment: 'prod' as const,
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg-mlops',
      workspace: 'ws-shadow',
      location: 'westeurope',
      credential: staticTokenCredential('fake-token'),
      endpoint: fake.url,
      metricsEndpoint: metrics.url,
      trustedCa: cert,
      pollIntervalMs: 10,
      now: () => clock,
    };
    const shadowWs = azureMlWorkspace(options);
    const spec = join(dir, 'deployment.yaml');
    await shadowWs.endpoints.deploy({ endpoint: 'shadow-ep', deployment: 'blue', model: { name: 'churn', version: 1 }, specPath: spec });
    await shadowWs.endpoints.deploy({ endpoint: 'shadow-ep', deployment: 'green', model: { name: 'churn', version: 2 }, specPath: spec });
    await shadowWs.endpoints.setTraffic('shadow-ep', { blue: 100 });
    await shadowWs.shadow.setShadow('shadow-ep', { endpoint: 'shadow-ep', deployment: 'green' }, 10);

    const id = `${shadowWs.workspacePath}/onlineEndpoints/shadow-ep`;
    const req = (time: string, deployment: string, statusCode: string, value: number) => ({
      timeStamp: time,
      dimensions: { deployment, statusCode, statusCodeClass: `${statusCode[0]}xx`, modelStatusCode: statusCode },
      value,
    });
    metrics.addPoints(id, 'RequestsPerMinute', [
      req('2026-11-28T12:09:00Z', 'blue', '500', 50), // before the shadow was set
      req('2026-11-28T12:11:00Z', 'blue', '200', 300),
      req('2026-11-28T12:11:00Z', 'blue', '500', 3),
      req('2026-11-28T12:11:00Z', 'green', '200', 30),
      req('2026-11-28T12:12:00Z', 'green', '500', 2),
    ]);
    clock = new Date('2026-11-28T12:14:10Z'); // 12:12-12:13 ended over a minute ago: published
    expect(await shadowWs.shadow.shadowReport('shadow-ep')).toEqual({
      mirrored: 32,
      compared: 0,
      agreed: 0,
      shadowErrors: 2,
      liveErrors: 3,
    });

    // Another instance (e.g. after a restart) finds the mirror on the endpoint and counts the last hour.
    const restarted = azureMlWorkspace(options);
    expect(await restarted.shadow.shadowReport('shadow-ep')).toEqual({
      mirrored: 32,
      compared: 0,
      agreed: 0,
      shadowErrors: 2,
      liveErrors: 53,
    });

    await shadowWs.shadow.setShadow('shadow-ep', { endpoint: 'shadow-ep', deployment: 'green' }, 0);
    expect(await shadowWs.shadow.shadowReport('shadow-ep')).toEqual({
      mirrored: 0,
      compared: 0,
      agreed: 0,
      shadowErrors: 0,
      liveErrors: 0,
    });
  });
});
