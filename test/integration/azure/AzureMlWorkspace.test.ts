import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { azureMlWorkspace, type AzureMlWorkspace } from '../../../adapters/azure/workspace/AzureMlWorkspace';
import { staticTokenCredential } from '../../../adapters/azure/workspace/staticTokenCredential';
import { ConcurrencyError, NotFoundError } from '../../../shared/errors';
import { ArmMlFake, MIRROR_API_VERSION, STABLE_API_VERSION } from '../../fakes/armMl/ArmMlFake';
import { rawArmRequest } from '../../fakes/armMl/rawArmRequest';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';
import { codeRoutes } from '../../fakes/armMl/codeRoutes';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';

const JOB_SPEC = `
type: command
code: .
command: python train.py --data \${{inputs.data}} --seed \${{inputs.seed}} --out \${{outputs.model}}
inputs:
  data: { type: uri_file }
  seed: 42
outputs:
  model: { type: custom_model }
environment: azureml:train-env@latest
compute: azureml:cpu-cluster
tags: { kind: training }
`;
const DEPLOYMENT_SPEC = `
code_configuration: { code: ., scoring_script: score.py }
environment: azureml:score-env:3
instance_type: Standard_DS3_v2
`;
const DATA_URL = 'https://acct.blob.core.windows.net/training-data/2026/11/data.csv';

let fake: ArmMlFake;
let azurite: RunningAzurite; // holds the uploaded code assets
let cert: string;
let dir: string;

function workspace(name: string, environment: 'dev' | 'staging' | 'prod' = 'dev'): AzureMlWorkspace {
  const ws = azureMlWorkspace({
    environment,
    subscriptionId: '00000000-0000-0000-0000-000000000001',
    resourceGroup: 'rg-mlops',
    workspace: name,
    location: 'westeurope',
    credential: staticTokenCredential('fake-token'),
    endpoint: fake.url,
    trustedCa: cert,
    pollIntervalMs: 10,
  });
  // The datastore infra/main.json registers, over the account the tests' data URLs name.
  fake.dataAccess.seedDatastore(ws.workspacePath, 'autopilot_artifacts', { accountName: 'acct', containerName: 'training-data' });
  return ws;
}

beforeAll(async () => {
  const tls = selfSignedCert();
  cert = tls.cert;
  [fake, azurite] = await Promise.all([ArmMlFake.start(tls), startAzurite()]);
  fake.dataAccess.grantBlobRead('acct', 'submitter');
  fake.seedEnvironment('train-env', '1');
  fake.seedEnvironment('train-env', '2'); // the newest: what @latest resolves to
  fake.seedEnvironment('score-env', '3');
  fake.addRoute((await codeRoutes(azurite.ports.blob)).route);
  dir = mkdtempSync(join(tmpdir(), 'azml-'));
  writeFileSync(join(dir, 'job.yaml'), JOB_SPEC);
  writeFileSync(join(dir, 'deployment.yaml'), DEPLOYMENT_SPEC);
});

afterAll(async () => {
  await Promise.all([fake?.stop(), azurite?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('AzureMlWorkspace against the ARM Machine Learning fake', () => {
  test('submits a command job with the blob URL as a uri_file input, finds it again, resubmits idempotently and cancels it', async () => {
    const ws = workspace('ws-dev');
    const request = {
      name: 'train-r1',
      specPath: join(dir, 'job.yaml'),
      inputs: { data: { type: 'uri_file' as const, path: DATA_URL } },
      tags: { releaseId: 'r1' },
    };
    const submitted = await ws.jobs.submitJob(request);
    expect(submitted).toMatchObject({ name: 'train-r1', status: 'queued', tags: { kind: 'training', releaseId: 'r1' } });
    const put = fake.callsTo('PUT', '/jobs/train-r1');
    expect(put).toHaveLength(1);
    expect(put[0]!.apiVersion).toBe(STABLE_API_VERSION);
    expect(put[0]!.body).toMatchObject({
      properties: {
        // The YAML's short forms resolved as azure-ai-ml resolves them: @latest to the newest version, names to ARM ids.
        jobType: 'Command',
        environmentId: `${ws.workspacePath}/environments/train-env/versions/2`,
        computeId: `${ws.workspacePath}/computes/cpu-cluster`,
        // The blob URL read through the workspace's datastore on that container, as the submitting identity.
        inputs: {
          data: { jobInputType: 'uri_file', uri: 'azureml://datastores/autopilot_artifacts/paths/2026/11/data.csv' },
          seed: { jobInputType: 'literal', value: '42' },
        },
        identity: { identityType: 'UserIdentity' },
      },
    });

    fake.setJobStatus(ws.workspacePath, 'train-r1', 'Running');
    expect((await ws.jobs.getJob('train-r1'))?.status).toBe('running');
    expect((await ws.jobs.submitJob(request)).status).toBe('running');
    expect(fake.callsTo('PUT', '/jobs/train-r1')).toHaveLength(1);

    await ws.jobs.cancelJob('train-r1');
    expect((await ws.jobs.getJob('train-r1'))?.status).toBe('canceled');
    expect(await ws.jobs.getJob('never-submitted')).toBeUndefined();
    const cancelMissing = ws.jobs.cancelJob('never-submitted');
    await expect(cancelMissing).rejects.toThrow(NotFoundError);
    await expect(cancelMissing).rejects.toThrow(/job 'never-submitted' not found/);
  });

  test('the short forms of the YAML reach ARM resolved: the fake refuses them as written (what the adapter sent before)', async () => {
    const ws = workspace('ws-forms');
    const armPut = (path: string, body: unknown) =>
      rawArmRequest(`${fake.url}${ws.workspacePath}${path}?api-version=${STABLE_API_VERSION}`, 'PUT', body, cert);
    const job = (environmentId: string, computeId: string) => ({
      properties: { jobType: 'Command', command: 'python train.py', environmentId, computeId },
    });
    const asWritten = await armPut('/jobs/short-forms', job('azureml:train-env@latest', 'azureml:cpu-cluster'));
    expect(asWritten.status).toBe(400);
    expect(asWritten.text).toMatch(/environmentId: must be an environment version ARM id[\s\S]*computeId: must be a compute ARM id/);
    const resolved = await armPut(
      '/jobs/short-forms',
      job(`${ws.workspacePath}/environments/train-env/versions/1`, `${ws.workspacePath}/computes/cpu-cluster`),
    );
    expect(resolved.status).toBe(201);
    // An environment version the workspace does not have is refused too.
    expect(
      (
        await armPut(
          '/jobs/missing-env',
          job(`${ws.workspacePath}/environments/nope/versions/1`, `${ws.workspacePath}/computes/cpu-cluster`),
        )
      ).status,
    ).toBe(404);
  });

  test('says which environment is missing and how to create it, and refuses a form Azure ML cannot resolve', async () => {
    const ws = workspace('ws-dev');
    writeFileSync(join(dir, 'no-env.yaml'), JOB_SPEC.replace('azureml:train-env@latest', 'azureml:never-created@latest'));
    await expect(
      ws.jobs.submitJob({
        name: 'train-no-env',
        specPath: join(dir, 'no-env.yaml'),
        inputs: { data: { type: 'uri_file', path: DATA_URL } },
      }),
    ).rejects.toThrow(/never-created@latest.*has no version of it; create one with `az ml environment create`/);
    writeFileSync(join(dir, 'bare-env.yaml'), JOB_SPEC.replace('azureml:train-env@latest', 'train-env'));
    await expect(
      ws.jobs.submitJob({
        name: 'train-bare-env',
        specPath: join(dir, 'bare-env.yaml'),
        inputs: { data: { type: 'uri_file', path: DATA_URL } },
      }),
    ).rejects.toThrow(/environment 'train-env' is not a form Azure ML resolves; use azureml:<name>:<version>/);
  });

  test('registers versions 1 and 2, returns the same version for a repeated idempotency key, and imports into another workspace', async () => {
    const dev = workspace('ws-dev');
    const v1 = await dev.models.registerModel({
      name: 'churn',
      source: { job: 'train-r1', output: 'model' },
      idempotencyKey: 'k1',
      metrics: { auc: 0.91 },
      lineage: { dataUrl: DATA_URL, releaseId: 'r1' },
    });
    const v2 = await dev.models.registerModel({
      name: 'churn',
      source: { job: 'train-r2', output: 'model' },
      idempotencyKey: 'k2',
      tags: { team: 'risk' },
    });
    const again = await dev.models.registerModel({ name: 'churn', source: { job: 'train-r1', output: 'model' }, idempotencyKey: 'k1' });
    expect([v1.version, v2.version, again.version]).toEqual([1, 2, 1]);
    expect(v1).toMatchObject({
      path: 'azureml://jobs/train-r1/outputs/model',
      metrics: { auc: 0.91 },
      lineage: { dataUrl: DATA_URL, releaseId: 'r1' },
    });
    expect((await dev.models.listModels('churn')).map((m) => m.version)).toEqual([1, 2]);
    expect(await dev.models.getModel({ name: 'churn', version: 2 })).toMatchObject({ tags: { team: 'risk' }, idempotencyKey: 'k2' });

    const staging = workspace('ws-staging', 'staging');
    const imported = await staging.models.importModel(v2, 'dev');
    expect(imported).toMatchObject({
      version: 1,
      path: v2.path,
      tags: { team: 'risk' },
      copiedFrom: { environment: 'dev', name: 'churn', version: 2 },
    });
    expect((await staging.models.importModel(v2, 'dev')).version).toBe(1);
    expect(await staging.models.listModels('churn')).toHaveLength(1);
    expect((await dev.models.listModels()).map((m) => `${m.name}:${m.version}`)).toEqual(['churn:1', 'churn:2']);
  });

  test('deploys through long-running operations, splits traffic 90/10, mirrors 10% by a PUT in the newer api-version and deletes a deployment', async () => {
    const ws = workspace('ws-prod', 'prod');
    const spec = join(dir, 'deployment.yaml');
    const blue = await ws.endpoints.deploy({
      endpoint: 'churn-ep',
      deployment: 'blue',
      model: { name: 'churn', version: 1 },
      specPath: spec,
    });
    expect(blue).toMatchObject({ name: 'blue', state: 'succeeded', model: { name: 'churn', version: 1 } });
    const polls = fake.calls.filter((c) => c.path.startsWith('/fake/operations/'));
    expect(polls.length).toBeGreaterThanOrEqual(4); // endpoint (async op) and deployment (location), each polled past InProgress
    await ws.endpoints.deploy({ endpoint: 'churn-ep', deployment: 'green', model: { name: 'churn', version: 2 }, specPath: spec });
    expect(fake.callsTo('PUT', '/onlineEndpoints/churn-ep')).toHaveLength(1);

    const split = await ws.endpoints.setTraffic('churn-ep', { blue: 90, green: 10 });
    expect(split.traffic).toEqual({ blue: 90, green: 10 });
    expect(split.deployments.map((d) => d.name).sort()).toEqual(['blue', 'green']);
    expect(split.id).toBe(`${ws.workspacePath}/onlineEndpoints/churn-ep`);
    expect(split.scoringUri).toBe(fake.scoring.scoringUri('churn-ep'));

    // Azure ML mirrors only to a deployment without live traffic.
    await expect(ws.shadow.setShadow('churn-ep', { endpoint: 'churn-ep', deployment: 'green' }, 10)).rejects.toThrow(
      /'green' takes 10% of churn-ep's live traffic/,
    );
    await ws.endpoints.setTraffic('churn-ep', { blue: 100, green: 0 });
    await ws.shadow.setShadow('churn-ep', { endpoint: 'churn-ep', deployment: 'green' }, 10);
    // The endpoint's PATCH takes tags and identity only: both splits go in a PUT of the whole endpoint, read-only fields left out.
    expect(fake.callsTo('PATCH', '/onlineEndpoints/churn-ep')).toHaveLength(0);
    const mirrorPut = fake.callsTo('PUT', '/onlineEndpoints/churn-ep').at(-1)!;
    expect(mirrorPut).toMatchObject({
      apiVersion: MIRROR_API_VERSION,
      body: { location: 'westeurope', properties: { authMode: 'Key', traffic: { blue: 100, green: 0 }, mirrorTraffic: { green: 10 } } },
    });
    const sent = (mirrorPut.body as { properties: object }).properties;
    expect(sent).not.toHaveProperty('provisioningState');
    expect(sent).not.toHaveProperty('scoringUri');
    expect((await ws.endpoints.getEndpoint('churn-ep'))?.mirrorTraffic).toEqual({ green: 10 });
    await expect(ws.shadow.setShadow('churn-ep', { endpoint: 'churn-ep', deployment: 'green' }, 60)).rejects.toThrow(/at most 50%/);
    // What the service refuses comes back with its code and message, not an opaque object.
    await expect(ws.shadow.setShadow('churn-ep', { endpoint: 'churn-ep', deployment: 'nope' }, 10)).rejects.toThrow(
      /HTTP 400\): BadArgument: mirrorTraffic names deployment nope/,
    );

    // A new live split keeps the mirror, unless the mirrored deployment now takes live traffic (never both).
    await ws.endpoints.setTraffic('churn-ep', { blue: 100 });
    expect(await ws.endpoints.getEndpoint('churn-ep')).toMatchObject({ traffic: { blue: 100 }, mirrorTraffic: { green: 10 } });
    await ws.endpoints.setTraffic('churn-ep', { blue: 80, green: 20 });
    expect(await ws.endpoints.getEndpoint('churn-ep')).toMatchObject({ traffic: { blue: 80, green: 20 }, mirrorTraffic: {} });
    await ws.shadow.setShadow('churn-ep', { endpoint: 'churn-ep', deployment: 'green' }, 0);
    expect(await ws.endpoints.getEndpoint('churn-ep')).toMatchObject({ traffic: { blue: 80, green: 20 }, mirrorTraffic: {} });
    await ws.endpoints.setTraffic('churn-ep', { blue: 100 });
    await ws.endpoints.deleteDeployment('churn-ep', 'green');
    const after = await ws.endpoints.getEndpoint('churn-ep');
    expect(after?.deployments.map((d) => d.name)).toEqual(['blue']);
    expect((await ws.endpoints.listEndpoints()).map((e) => e.name)).toEqual(['churn-ep']);
  });

  test('sends every field of the deployment YAML it parses: probes, request settings, App Insights, scale settings, description', async () => {
    const ws = workspace('ws-fields', 'prod');
    writeFileSync(join(dir, 'score.py'), 'def init(): pass\n');
    writeFileSync(
      join(dir, 'full-deployment.yaml'),
      `${DEPLOYMENT_SPEC}
description: churn scorer
app_insights_enabled: true
scale_settings: { type: default }
request_settings: { request_timeout_ms: 3000, max_concurrent_requests_per_instance: 4, max_queue_wait_ms: 500 }
liveness_probe: { initial_delay: 30, period: 15, timeout: 5, failure_threshold: 10, success_threshold: 1 }
readiness_probe: { initial_delay: 5, period: 5 }
`,
    );
    await ws.endpoints.deploy({
      endpoint: 'fields-ep',
      deployment: 'blue',
      model: { name: 'churn', version: 1 },
      specPath: join(dir, 'full-deployment.yaml'),
    });
    expect(fake.callsTo('PUT', '/onlineEndpoints/fields-ep/deployments/blue')[0]!.body).toMatchObject({
      properties: {
        description: 'churn scorer',
        appInsightsEnabled: true,
        scaleSettings: { scaleType: 'Default' },
        requestSettings: { requestTimeout: 'PT3S', maxConcurrentRequestsPerInstance: 4, maxQueueWait: 'PT0.5S' },
        livenessProbe: { initialDelay: 'PT30S', period: 'PT15S', timeout: 'PT5S', failureThreshold: 10, successThreshold: 1 },
        // Azure ML's defaults for what the YAML leaves out of a probe (timeout 2 s, readiness failure threshold 3).
        readinessProbe: { initialDelay: 'PT5S', period: 'PT5S', timeout: 'PT2S', failureThreshold: 3, successThreshold: 1 },
      },
    });
  });

  test('refuses target_utilization scale settings at parse time: managed deployments scale by instance count', async () => {
    const ws = workspace('ws-fields', 'prod');
    writeFileSync(
      join(dir, 'autoscale.yaml'),
      `${DEPLOYMENT_SPEC}\nscale_settings: { type: target_utilization, min_instances: 1, max_instances: 3 }\n`,
    );
    await expect(
      ws.endpoints.deploy({
        endpoint: 'fields-ep',
        deployment: 'green',
        model: { name: 'churn', version: 1 },
        specPath: join(dir, 'autoscale.yaml'),
      }),
    ).rejects.toThrow(/scale_settings/);
  });

  test('waits out a 429 with Retry-After and a transient 503, then succeeds', async () => {
    const ws = workspace('ws-retry');
    const request = { name: 'train-retry', specPath: join(dir, 'job.yaml'), inputs: { data: { path: DATA_URL } } };
    fake.injectFault('/jobs/train-retry', 429, 1);
    fake.injectFault('/jobs/train-retry', 503, 1);
    expect((await ws.jobs.submitJob(request)).name).toBe('train-retry');
    const statuses = fake.calls.filter((c) => c.path.endsWith('/jobs/train-retry')).map((c) => `${c.method} ${c.status}`);
    // The SDK's retry policy retried both (it waits the Retry-After; timing is not asserted in tests).
    expect(statuses).toEqual(['GET 429', 'GET 503', 'GET 404', 'PUT 201']);
  });

  test('turns a 409 Conflict into a ConcurrencyError naming the resource', async () => {
    const ws = workspace('ws-conflict');
    // Registration takes the next version after a 409 (a concurrent registration took it), ten times at most.
    fake.injectFault('/models/churn/versions/1', 409, 10);
    const attempt = ws.models.registerModel({
      name: 'churn',
      source: { path: 'azureml://datastores/models/paths/churn' },
      idempotencyKey: 'c1',
    });
    await expect(attempt).rejects.toThrow(ConcurrencyError);
    await expect(attempt).rejects.toThrow(/model 'churn:1'/);
  });

  test('gives a job log as its status and the Studio link to the full logs, and a NotFoundError for an unknown job', async () => {
    const ws = workspace('ws-logs');
    await ws.jobs.submitJob({ name: 'train-logs', specPath: join(dir, 'job.yaml'), inputs: { data: { path: DATA_URL } } });
    fake.setJobStatus(ws.workspacePath, 'train-logs', 'Failed');
    const log = await ws.jobs.jobLog('train-logs');
    expect(log).toContain('job train-logs: failed');
    expect(log).toContain(`https://ml.azure.com/runs/train-logs?wsid=${ws.workspacePath}`);
    expect(log).toMatch(/full logs are in Azure ML Studio/);
    await expect(ws.jobs.jobLog('no-such-job')).rejects.toThrow(NotFoundError);
  });
});
