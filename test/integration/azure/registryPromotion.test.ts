import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { azureMlWorkspace, type AzureMlWorkspace } from '../../../adapters/azure/workspace/AzureMlWorkspace';
import { AzureMlRegistry, type SourceWorkspace } from '../../../adapters/azure/workspace/azureRegistry';
import type { ModelRegistryOption } from '../../../adapters/azure/workspace/azureMlWorkspaceOptions';
import { staticTokenCredential } from '../../../adapters/azure/workspace/staticTokenCredential';
import { AutopilotConfig, type EnvironmentName } from '../../../shared/config/schema';
import { ConcurrencyError } from '../../../shared/errors';
import { ArmMlFake, fakeWorkspaceId } from '../../fakes/armMl/ArmMlFake';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';
import { codeRoutes } from '../../fakes/armMl/codeRoutes';
import { registryRoutes, type RegistryRoutes } from '../../fakes/armMl/registryRoutes';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';

const SUB = '00000000-0000-0000-0000-000000000001';
const REGISTRY = { name: 'mlreg-shared', subscriptionId: '00000000-0000-0000-0000-000000000002', resourceGroup: 'rg-registry' };
const DEPLOYMENT_SPEC = `
code_configuration: { code: ., scoring_script: score.py }
environment: azureml:score-env:3
instance_type: Standard_DS3_v2
`;

let fake: ArmMlFake;
let azurite: RunningAzurite; // holds the uploaded code assets
let registry: RegistryRoutes;
let cert: string;
let dir: string;

const coordinates = (ws: string): SourceWorkspace => ({
  subscriptionId: SUB,
  resourceGroup: 'rg-mlops',
  workspace: ws,
  location: 'westeurope',
});
const workspacePath = (ws: string) =>
  `/subscriptions/${SUB}/resourceGroups/rg-mlops/providers/Microsoft.MachineLearningServices/workspaces/${ws}`;

function workspace(name: string, environment: EnvironmentName, modelRegistry?: ModelRegistryOption): AzureMlWorkspace {
  fake.setWorkspace(workspacePath(name));
  return azureMlWorkspace({
    environment,
    ...coordinates(name),
    credential: staticTokenCredential('fake-token'),
    endpoint: fake.url,
    trustedCa: cert,
    pollIntervalMs: 10,
    modelRegistry,
  });
}

/** dev, staging and prod workspaces as createAzureWorkspaces wires them with azure.registry. */
function releaseWorkspaces(prefix: string) {
  const option: ModelRegistryOption = {
    registry: new AzureMlRegistry(REGISTRY, {
      credential: staticTokenCredential('fake-token'),
      endpoint: fake.url,
      discoveryEndpoint: fake.url,
      trustedCa: cert,
      pollIntervalMs: 10,
    }),
    workspaces: { dev: coordinates(`${prefix}-dev`), staging: coordinates(`${prefix}-staging`), prod: coordinates(`${prefix}-prod`) },
  };
  return {
    dev: workspace(`${prefix}-dev`, 'dev'),
    staging: workspace(`${prefix}-staging`, 'staging', option),
    prod: workspace(`${prefix}-prod`, 'prod', option),
  };
}

function registerFromJob(dev: AzureMlWorkspace, name: string, key: string) {
  return dev.models.registerModel({
    name,
    source: { job: `job-${key}`, output: 'model' },
    idempotencyKey: key,
    metrics: { auc: 0.81 },
    tags: { team: 'churn' },
    lineage: { jobName: `job-${key}`, releaseId: `rel-${key}` },
  });
}

beforeAll(async () => {
  const tls = selfSignedCert();
  cert = tls.cert;
  [fake, azurite] = await Promise.all([ArmMlFake.start(tls), startAzurite()]);
  fake.seedEnvironment('score-env', '3');
  fake.addRoute((await codeRoutes(azurite.ports.blob)).route);
  registry = registryRoutes(fake, REGISTRY);
  fake.addRoute(registry.route);
  dir = mkdtempSync(join(tmpdir(), 'azreg-'));
  writeFileSync(join(dir, 'deployment.yaml'), DEPLOYMENT_SPEC);
  writeFileSync(join(dir, 'score.py'), 'def run(data): return data\n');
});

afterAll(async () => {
  await Promise.all([fake?.stop(), azurite?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('promotion across workspaces through an Azure ML registry', () => {
  test('dev -> staging shares the dev version into the registry once, and prod gets that same asset', async () => {
    const { dev, staging, prod } = releaseWorkspaces('a');
    const trained = await registerFromJob(dev, 'churn', 'k-a1');
    expect(trained.path).toBe('azureml://jobs/job-k-a1/outputs/model');

    const staged = await staging.models.importModel(trained, 'dev');
    expect(staged).toMatchObject({
      name: 'churn',
      version: trained.version,
      path: `azureml://registries/mlreg-shared/models/churn/versions/${trained.version}`,
      metrics: { auc: 0.81 },
      tags: { team: 'churn' },
      lineage: { jobName: 'job-k-a1', releaseId: 'rel-k-a1' },
      copiedFrom: { environment: 'dev', name: 'churn', version: trained.version },
    });
    // What `az ml model share` sends: the dev workspace's asset by location and workspace GUID.
    expect(registry.imports).toEqual([
      {
        destinationName: 'churn',
        destinationVersion: String(trained.version),
        sourceAssetId: `azureml://locations/westeurope/workspaces/${fakeWorkspaceId(workspacePath('a-dev'))}/models/churn/versions/${trained.version}`,
      },
    ]);

    // A re-run of the step, then prod promoted from staging's version: no second copy anywhere.
    expect((await staging.models.importModel(trained, 'dev')).path).toBe(staged.path);
    const stagingRef = await staging.models.getModel({ name: staged.name, version: staged.version });
    const produced = await prod.models.importModel(stagingRef!, 'staging');
    expect(produced.path).toBe(staged.path);
    expect(registry.imports).toHaveLength(1);
    // Staging and prod list the registry's versions: the promoted model is there once.
    expect((await prod.models.listModels()).filter((m) => m.name === 'churn').map((m) => m.path)).toEqual([staged.path]);
    expect(fake.calls.filter((c) => c.method === 'PUT' && /\/workspaces\/a-(staging|prod)\/models\//.test(c.path))).toEqual([]);
  });

  test('staging and prod deployments reference the registry asset, and read back as the same model', async () => {
    const { dev, staging, prod } = releaseWorkspaces('b');
    const trained = await registerFromJob(dev, 'fraud', 'k-b1');
    const staged = await staging.models.importModel(trained, 'dev');
    const produced = await prod.models.importModel(staged, 'staging');
    const specPath = join(dir, 'deployment.yaml');
    for (const [ws, name, model] of [
      [staging, 'fraud-staging', staged],
      [prod, 'fraud-prod', produced],
    ] as const) {
      const info = await ws.endpoints.deploy({
        endpoint: name,
        deployment: 'v001',
        model: { name: model.name, version: model.version },
        specPath,
      });
      expect(info).toMatchObject({ state: 'succeeded', model: { name: 'fraud', version: trained.version } });
      const put = fake.callsTo('PUT', `/onlineEndpoints/${name}/deployments/v001`)[0]!;
      expect((put.body as { properties: { model: string } }).properties.model).toBe(
        `azureml://registries/mlreg-shared/models/fraud/versions/${trained.version}`,
      );
      expect((await ws.endpoints.getEndpoint(name))!.deployments[0]!.model).toEqual({ name: 'fraud', version: trained.version });
    }
  });

  test('refuses to share over a registry version that holds another model, instead of overwriting it', async () => {
    const first = releaseWorkspaces('c');
    const other = releaseWorkspaces('d');
    const mine = await registerFromJob(first.dev, 'upsell', 'k-c1');
    await first.staging.models.importModel(mine, 'dev');
    const theirs = await registerFromJob(other.dev, 'upsell', 'k-d1');
    expect(theirs.version).toBe(mine.version);
    await expect(other.staging.models.importModel(theirs, 'dev')).rejects.toThrow(ConcurrencyError);
    await expect(other.staging.models.importModel(theirs, 'dev')).rejects.toThrow(/already holds another model/);
  });

  test('without a registry, promotion registers a workspace version on the source URI and deploys it by ARM id', async () => {
    const dev = workspace('e-dev', 'dev');
    const staging = workspace('e-staging', 'staging');
    const trained = await registerFromJob(dev, 'retain', 'k-e1');
    const staged = await staging.models.importModel(trained, 'dev');
    expect(staged).toMatchObject({
      name: 'retain',
      version: 1,
      path: 'azureml://jobs/job-k-e1/outputs/model',
      copiedFrom: { environment: 'dev' },
    });
    expect(fake.callsTo('PUT', '/workspaces/e-staging/models/retain/versions/1')).toHaveLength(1);
    await staging.endpoints.deploy({
      endpoint: 'retain-staging',
      deployment: 'v001',
      model: { name: 'retain', version: 1 },
      specPath: join(dir, 'deployment.yaml'),
    });
    const put = fake.callsTo('PUT', '/onlineEndpoints/retain-staging/deployments/v001')[0]!;
    expect((put.body as { properties: { model: string } }).properties.model).toBe(`${workspacePath('e-staging')}/models/retain/versions/1`);
  });
});

describe('azure.registry in autopilot.yaml', () => {
  const base = {
    version: 1,
    pipelines: {
      p: {
        data: { container: 'training-data', prefix: 'p/', labelColumn: 'y' },
        training: { job: 'j.yaml' },
        deployment: { spec: 'd.yaml' },
        evaluation: { metric: 'auc' },
      },
    },
  };

  test('accepts a registry by name, subscription and resource group', () => {
    const parsed = AutopilotConfig.safeParse({ ...base, azure: { registry: REGISTRY } });
    expect(parsed.error?.issues).toBeUndefined();
    expect(parsed.data?.azure?.registry).toEqual(REGISTRY);
  });

  test('names the field and the fix when the registry is malformed', () => {
    const parsed = AutopilotConfig.safeParse({ ...base, azure: { registry: { name: 'r', subscriptionId: 'sub-1', resourceGroup: ' ' } } });
    const messages = parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^azure\.registry\.name: must be the Azure ML registry name/),
        expect.stringMatching(/^azure\.registry\.subscriptionId: must be the subscription id/),
        expect.stringMatching(/^azure\.registry\.resourceGroup: must name the resource group/),
      ]),
    );
  });
});
