import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateCsv, generateDataset } from '../../../examples/tabular/generate';
import type { MonitorRun } from '../../../shared/monitoring/runMonitor';
import type { EndpointInfo, ModelVersion } from '../../../shared/ports';
import type { Release } from '../../../shared/release/types';
import { FakeAzureCloud } from '../../fakes/azureCloud/FakeAzureCloud';
import { registryRoutes, type RegistryRoutes } from '../../fakes/armMl/registryRoutes';
import { startTestStack, waitFor, type TestStack } from './localStack';
import { bundleExample } from '../../../scripts/bundleExample';

jest.setTimeout(420_000);

const ROOT = resolve(__dirname, '../../..');
const SUBSCRIPTION =
  '/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-mlops/providers/Microsoft.MachineLearningServices/workspaces';
let cloud: FakeAzureCloud;
let stack: TestStack;
let container: ContainerClient;
let registry: RegistryRoutes; // azure.registry of the fixture
const REGISTRY_MODEL = 'azureml://registries/mlreg-e2e/models/default/versions';
const REGISTRY_PATH =
  '/subscriptions/00000000-0000-0000-0000-0000000000bb/resourcegroups/rg-registry/providers/microsoft.machinelearningservices/registries/mlreg-e2e';

/** A model-like scorer: churn risk from contract, tenure and support calls (the generator's main effects). */
function churnRisk(columns: string[], row: unknown[]): number {
  const value = (name: string) => row[columns.indexOf(name)];
  const contract = { 'month-to-month': 1, 'one-year': -0.4, 'two-year': -1.6 }[String(value('contract'))] ?? 0;
  const logit = -1.6 + contract - 0.045 * (Number(value('tenure_months')) - 20) + 0.37 * (Number(value('support_calls')) - 1.2);
  return 1 / (1 + Math.exp(-logit));
}

/** A model-like scorer of examples/sklearn/sample.csv: the larger the worst radius, the less likely benign. */
function benign(columns: string[], row: unknown[]): number {
  return 1 / (1 + Math.exp(1.5 * (Number(row[columns.indexOf('worst_radius')]) - 16.8)));
}

beforeAll(async () => {
  bundleExample(); // the TypeScript example's code folder for Azure ML
  cloud = await FakeAzureCloud.start({ workspaces: ['mlw-dev', 'mlw-staging', 'mlw-prod'].map((w) => `${SUBSCRIPTION}/${w}`) });
  registry = registryRoutes(cloud.arm, {
    name: 'mlreg-e2e',
    subscriptionId: '00000000-0000-0000-0000-0000000000bb',
    resourceGroup: 'rg-registry',
  });
  cloud.arm.addRoute(registry.route);
  cloud.arm.scoring.predictor = (_model, columns, rows) => {
    // The sklearn pipelines score the breast-cancer sample (label 1 = benign, small tumours).
    // The regressor's deployments answer one number per row (disease progression from bmi and s5).
    if (columns.includes('bmi'))
      return {
        predictions: rows.map(
          (row) => 152 + 10 * (Number(row[columns.indexOf('bmi')]) - 26) + 60 * (Number(row[columns.indexOf('s5')]) - 4.6),
        ),
      };
    const p = rows.map((row) => (columns.includes('worst_radius') ? benign(columns, row) : churnRisk(columns, row)));
    return { predictions: p.map((x) => (x >= 0.5 ? '1' : '0')), probabilities: p.map((x) => [1 - x, x]), classes: ['0', '1'] };
  };
  // Deployments take 2 s to provision and a step waits 0.5 s at most: releases wait across steps, as on Azure.
  cloud.arm.deploymentProvisioningMs = 2000;
  stack = await startTestStack({
    config: join(ROOT, 'test/fixtures/e2e/azure.yaml'),
    env: {
      ...cloud.env,
      AUTOPILOT_REGISTRY_DISCOVERY_ENDPOINT: cloud.arm.url,
      AUTOPILOT_PROVISIONING_WAIT_SECONDS: '0.5',
      AUTOPILOT_PROVISIONING_POLL_SECONDS: '1',
      AUTOPILOT_METRICS_DELAY_SECONDS: '5',
    },
  });
  container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
  await container.createIfNotExists();
});

afterAll(async () => {
  await stack?.stop();
  await cloud?.stop();
});

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.api}${path}`, { headers: { authorization: `Bearer ${stack.token()}` } });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function post<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.api}${path}`, { method: 'POST', headers: { authorization: `Bearer ${stack.token()}` } });
  if (!response.ok) throw new Error(`POST ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function settle(blob: string, content: string): Promise<Release> {
  await container.getBlockBlobClient(blob).upload(content, Buffer.byteLength(content));
  return waitFor(
    `release of ${blob}`,
    async () => {
      const release = (await get<{ releases: Release[] }>('/releases')).releases.find((r) => r.data?.blob === blob);
      return release && !['queued', 'running'].includes(release.status) ? release : undefined;
    },
    { timeoutMs: 300_000 },
  );
}

function publishedTo(releaseId: string, type: string) {
  return cloud.eventGrid.requests.flatMap((r) => r.events).find((e) => e.type === type && e.subject?.includes(releaseId));
}

async function prod(): Promise<EndpointInfo | undefined> {
  return (await get<{ endpoints: EndpointInfo[] }>('/endpoints')).endpoints.find((e) => e.name === 'default-prod');
}

describe('the release loop on the azure backend, through the real SDKs against the fakes of Azure', () => {
  it('trains an Azure ML job on the uploaded blob, evaluates, registers with lineage, and deploys dev -> staging -> prod', async () => {
    const release = await settle('default/v1.csv', generateCsv({ rows: 1200, seed: 31 }));
    expect({ status: release.status, reason: release.reason }).toEqual({ status: 'succeeded', reason: undefined });

    // The job ran in the dev workspace on the training split's blob URL, with the example's compute and environment.
    const [jobPut] = cloud.arm.callsTo('PUT', `/jobs/${release.job!.name}`);
    expect(jobPut!.path).toContain(`${SUBSCRIPTION}/mlw-dev/`);
    expect(jobPut!.body).toMatchObject({
      properties: {
        jobType: 'Command',
        computeId: `${SUBSCRIPTION}/mlw-dev/computes/cpu-cluster`,
        command: expect.stringMatching(/^node train\.js /),
        // The example's Dockerfile context, registered as an environment version (examples/tabular/azure/job.yaml).
        environmentId: expect.stringMatching(new RegExp(`^${SUBSCRIPTION}/mlw-dev/environments/tabular-node-20/versions/[0-9a-f]{16}$`)),
        // The split the app wrote, read through the workspace's identity-based datastore as the app's identity.
        inputs: {
          training_data: {
            jobInputType: 'uri_file',
            uri: `azureml://datastores/autopilot_artifacts/paths/releases/${release.id}/train.csv`,
          },
        },
        identity: { identityType: 'UserIdentity' },
      },
    });
    // The gate scored the job's output on an evaluation deployment, then removed it.
    expect(release.gate).toMatchObject({ passed: true, candidate: expect.any(Number) });
    expect(release.gate!.candidate!).toBeGreaterThan(0.6);
    expect(cloud.arm.callsTo('DELETE', '').some((c) => /autopilot-eval-[0-9a-f]{8}\/deployments\/e[0-9a-f]{10}$/.test(c.path))).toBe(true);

    // Registered in dev with lineage, shared once into the registry for staging and prod.
    const dev = (await get<{ models: (ModelVersion & { environment: string })[] }>('/models?name=default')).models.filter(
      (m) => m.environment === 'dev',
    );
    expect(dev).toHaveLength(1);
    expect(dev[0]!.lineage).toMatchObject({
      jobName: release.job!.name,
      dataUrl: expect.stringContaining('/training-data/default/v1.csv'),
      releaseId: release.id,
    });
    expect(cloud.arm.callsTo('PUT', '/models/default/versions/1').map((c) => c.path.split('/workspaces/')[1]!.split('/')[0])).toEqual([
      'mlw-dev',
    ]);
    expect(registry.imports).toEqual([expect.objectContaining({ destinationName: 'default', destinationVersion: '1' })]);
    const modelOf = (workspace: string) =>
      (
        cloud.arm.callsTo('PUT', `/workspaces/${workspace}/onlineEndpoints/default-${workspace.slice(4)}/deployments/v001`)[0]?.body as {
          properties: { model: string };
        }
      ).properties.model;
    expect([modelOf('mlw-staging'), modelOf('mlw-prod')]).toEqual([`${REGISTRY_MODEL}/1`, `${REGISTRY_MODEL}/1`]);

    expect((await prod())?.traffic).toEqual({ v001: 100 });
    // Each deployment was created once and waited for across steps, never created again.
    const deploymentPuts = cloud.arm.calls
      .filter((c) => c.method === 'PUT' && /\/deployments\/[^/]+$/.test(c.path))
      .map((c) => c.path.split('/workspaces/')[1]);
    expect(deploymentPuts).toEqual([
      expect.stringMatching(/^mlw-dev\/onlineEndpoints\/autopilot-eval-[0-9a-f]{8}\/deployments\/e[0-9a-f]{10}$/),
      'mlw-dev/onlineEndpoints/default-dev/deployments/v001',
      'mlw-staging/onlineEndpoints/default-staging/deployments/v001',
      'mlw-prod/onlineEndpoints/default-prod/deployments/v001',
    ]);
    // The function app's identity (DefaultAzureCredential -> managed identity) got the tokens, for the
    // audience of AUTOPILOT_ARM_ENDPOINT (here the fake; https://management.azure.com in public Azure).
    expect(cloud.identity.requests.map((r) => r.resource)).toContain(new URL(cloud.arm.url).origin);
    expect(cloud.identity.requests.map((r) => r.resource)).not.toContain('https://management.azure.com');
    // The training metrics the job logged to MLflow are on the release.
    expect(release.metrics.training).toEqual({ train_auc: 0.84, iterations: 40 });
    // Its events went to the Event Grid topic, with the app's identity.
    await waitFor('ReleaseSucceeded on Event Grid', async () => publishedTo(release.id, 'autopilot.ReleaseSucceeded'));
  });

  it('rolls a failing canary back on Azure Monitor metrics, with nobody acting', async () => {
    // Staging's smoke tests pass; under prod traffic the new model fails 30% of requests.
    cloud.arm.scoring.setErrorRate('v002', 0.3, 'default-prod');
    const release = await settle('default/v2.csv', generateCsv({ rows: 1200, seed: 32 }));
    expect({ status: release.status, reason: release.reason }).toMatchObject({
      status: 'rolled_back',
      reason: expect.stringMatching(/^canary analysis at 25%/),
    });
    expect(release.stages.deploy_staging?.detail).toMatch(
      /shadow skipped \(Azure ML mirrors traffic only between deployments of one endpoint\)/,
    );

    const endpoint = (await prod())!;
    expect(endpoint.traffic).toEqual({ v001: 100 });
    expect(endpoint.deployments.map((d) => d.name)).toEqual(['v001']);
    // The verdict came from the metrics API, per deployment of the prod endpoint.
    const queries = cloud.metrics.calls.filter((c) => JSON.stringify(c.body).includes('/mlw-prod/onlineEndpoints/default-prod'));
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((q) => q.status === 200)).toBe(true);
    await waitFor('ReleaseRolledBack on Event Grid', async () => publishedTo(release.id, 'autopilot.ReleaseRolledBack'));
  });

  it("reads the prod traffic Azure ML's data collector wrote, finds the drift and retrains, with nobody acting", async () => {
    // The example's data_collector reached Azure: payload logging, at an api-version that has dataCollector.
    const [put] = cloud.arm.callsTo('PUT', '/workspaces/mlw-prod/onlineEndpoints/default-prod/deployments/v001');
    expect(put!.apiVersion).toBe('2024-04-01');
    expect(put!.body).toMatchObject({
      properties: {
        dataCollector: { collections: { request: { dataCollectionMode: 'Enabled' }, response: { dataCollectionMode: 'Enabled' } } },
      },
    });
    // Callers send rows whose numeric features moved (the generator's covariate shift), straight to Azure ML.
    const shifted = generateDataset({ rows: 600, seed: 34, shift: 1.5 });
    const features = shifted.columns.filter((c) => c !== 'label');
    const endpoint = (await prod())!;
    for (let i = 0; i < shifted.rows.length; i += 30) {
      const data = shifted.rows.slice(i, i + 30).map((row) => row.slice(0, features.length));
      const answer = await cloud.score(endpoint.scoringUri, 'default-prod', { input_data: { columns: features, data } });
      expect(answer.status).toBe(200);
    }
    await cloud.collector.flush();
    // Two runs in a row see the drift (one noisy run does not retrain): the second starts a release.
    const run = async () => (await post<{ run: MonitorRun }>('/monitors/default/run')).run;
    const first = await run();
    expect({ outcome: first.outcome, deployment: first.deployment }).toEqual({ outcome: 'drift', deployment: 'v001' });
    expect(first.rows).toBeGreaterThanOrEqual(600);
    expect(first.reasons.join(' ')).not.toMatch(/could not be read/);
    // The canaries' and shadow checks' replayed held-out rows reached the collector too, marked, and were left out.
    expect(first.reasons.join(' ')).toMatch(/\d+ collected requests were the autopilot's own replayed held-out rows .*left out/);
    const second = await run();
    expect(second.retrain).toMatchObject({ releaseId: expect.any(String) });
    const releaseId = (second.retrain as { releaseId: string }).releaseId;
    const retrain = (await get<{ releases: Release[] }>('/releases')).releases.find((r) => r.id === releaseId);
    // It trains on the retraining set like any release; how it ends is the release loop's business (tested above).
    expect(retrain?.trigger.kind).toBe('drift');
  });

  it("releases the scikit-learn example's unchanged job.yaml and deployment.yaml: a Python command job and score.py on the curated environment", async () => {
    const release = await settle('sklearn/v1.csv', readFileSync(join(ROOT, 'examples/sklearn/sample.csv'), 'utf8'));
    expect({ status: release.status, reason: release.reason }).toEqual({ status: 'succeeded', reason: undefined });
    const sklearnEnvironment = 'azureml://registries/azureml/environments/sklearn-1.5/labels/latest';
    expect(cloud.arm.callsTo('PUT', `/jobs/${release.job!.name}`)[0]!.body).toMatchObject({
      properties: {
        command: expect.stringMatching(
          /^python train\.py --data \$\{\{inputs\.training_data\}\} --label_column \$\{\{inputs\.label_column\}\} --model_output \$\{\{outputs\.model_output\}\}$/,
        ),
        environmentId: sklearnEnvironment,
        inputs: { training_data: { jobInputType: 'uri_file' }, label_column: { jobInputType: 'literal', value: 'label' } },
        outputs: { model_output: { jobOutputType: 'custom_model' } },
      },
    });
    expect(cloud.arm.callsTo('PUT', '/models/sklearn/versions/1')[0]!.body).toMatchObject({
      properties: {
        modelType: 'custom_model',
        modelUri: `azureml://jobs/${release.job!.name}/outputs/model_output`,
      },
    });
    for (const environment of ['dev', 'staging', 'prod']) {
      const [put] = cloud.arm.callsTo('PUT', `/onlineEndpoints/sklearn-${environment}/deployments/v001`);
      expect(put!.body).toMatchObject({
        properties: {
          environmentId: sklearnEnvironment,
          codeConfiguration: { codeId: expect.stringMatching(/\/codes\/[^/]+\/versions\/[0-9a-f]{16}$/), scoringScript: 'score.py' },
        },
      });
    }
    expect(release.gate!.candidate!).toBeGreaterThan(0.8);
  });

  it('registers an mlflow_model job output as an MLflow model and deploys it in every environment without code or environment', async () => {
    const release = await settle('mlflow/v1.csv', readFileSync(join(ROOT, 'examples/sklearn/sample.csv'), 'utf8'));
    expect({ status: release.status, reason: release.reason }).toEqual({ status: 'succeeded', reason: undefined });
    expect(cloud.arm.callsTo('PUT', '/models/mlflow/versions/1')[0]!.body).toMatchObject({ properties: { modelType: 'mlflow_model' } });
    // Shared into the registry with its type, so staging and prod can deploy it without code too.
    expect(registry.versions.get(`${REGISTRY_PATH}/models/mlflow/versions/1`)).toMatchObject({ properties: { modelType: 'mlflow_model' } });
    const deployments = cloud.arm.calls.filter(
      (c) =>
        c.method === 'PUT' &&
        /onlineEndpoints\/(mlflow-[a-z]+|autopilot-eval-[0-9a-f]+)\/deployments\/[^/]+$/.test(c.path) &&
        JSON.stringify(c.body).includes('mlflow'),
    );
    expect(deployments.map((c) => c.path.split('/onlineEndpoints/')[1])).toEqual(
      expect.arrayContaining(['mlflow-dev/deployments/v001', 'mlflow-staging/deployments/v001', 'mlflow-prod/deployments/v001']),
    );
    for (const put of deployments) {
      const properties = (put.body as { properties: Record<string, unknown> }).properties;
      expect(properties).not.toHaveProperty('codeConfiguration');
      expect(properties).not.toHaveProperty('environmentId');
    }
    const models = (await get<{ models: (ModelVersion & { environment: string })[] }>('/models?name=mlflow')).models;
    expect(models.filter((m) => m.environment === 'dev').map((m) => m.format)).toEqual(['mlflow_model']);
  });

  it('releases a regressor on Azure ML: the job is told task regression, the evaluation deployment answers numbers, the gate compares rmse', async () => {
    const diabetes = readFileSync(join(ROOT, 'test/fixtures/regression/diabetes.csv'), 'utf8');
    const release = await settle('regression/v1.csv', diabetes);
    expect({ status: release.status, reason: release.reason }).toEqual({ status: 'succeeded', reason: undefined });
    const [jobPut] = cloud.arm.callsTo('PUT', `/jobs/${release.job!.name}`);
    expect(jobPut!.body).toMatchObject({
      properties: {
        command: expect.stringContaining('--task ${{inputs.task}}'),
        inputs: { task: { jobInputType: 'literal', value: 'regression' } },
      },
    });
    expect(release.stages.validate?.detail).toMatch(/442 rows, 10 features, target from 25 to 346/);
    expect(release.gate).toMatchObject({ metric: 'rmse', passed: true });
    expect(release.metrics.candidate).toEqual(
      expect.objectContaining({ rmse: expect.any(Number), mae: expect.any(Number), r2: expect.any(Number) }),
    );
    const served = (await get<{ endpoints: EndpointInfo[] }>('/endpoints')).endpoints.find((e) => e.name === 'regression-prod');
    expect(served?.traffic).toEqual({ v001: 100 });
  });
});
