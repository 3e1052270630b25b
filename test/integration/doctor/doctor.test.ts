import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDoctor } from '../../../adapters/azure/doctor';
import { createStorage, type Storage } from '../../../adapters/azure/storage';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { ArmMlFake } from '../../fakes/armMl/ArmMlFake';
import { AZUREML_DATA_SCIENTIST, DoctorArmRoutes, MONITORING_READER, PERMISSIONS_API_VERSION } from '../../fakes/armMl/doctorRoutes';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';
import { FakeManagedIdentity } from '../../fakes/identity/FakeManagedIdentity';
import { runCli } from '../cli/runCli';

const SUBSCRIPTION = '00000000-0000-0000-0000-0000000000d0';
const RG = 'rg-mlops';
const PRINCIPAL = '11111111-2222-3333-4444-555555555555';
const wsId = (name: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.MachineLearningServices/workspaces/${name}`;

const JOB_SPEC = `
type: command
code: .
command: python train.py --data \${{inputs.training_data}} --model \${{outputs.model}}
inputs:
  training_data: { type: uri_file }
outputs:
  model: { type: custom_model }
environment: azureml:train-env@latest
compute: azureml:cpu-cluster
`;
const DEPLOYMENT_SPEC = `
code_configuration: { code: ., scoring_script: score.py }
environment: azureml:score-env:3
instance_type: Standard_DS3_v2
`;

let azurite: RunningAzurite;
let storage: Storage;
let arm: ArmMlFake;
let routes: DoctorArmRoutes;
let identity: FakeManagedIdentity;
let dir: string;
let caFile: string;

/** An autopilot.yaml whose three environments all use Azure ML workspaces named `ws-<env>-<suffix>`; `ok` gives canary steps long enough for Azure Monitor's minute metrics and a model registry. */
function writeConfig(suffix: string): string {
  const env = (e: string) => `  ${e}: { backend: azure, subscriptionId: ${SUBSCRIPTION}, resourceGroup: ${RG}, workspace: ws-${e}-${suffix}, location: westeurope }`;
  const file = join(dir, `autopilot-${suffix}.yaml`);
  writeFileSync(file, [
    'version: 1',
    ...(suffix === 'ok' ? [`azure: { registry: { name: mlreg, subscriptionId: ${SUBSCRIPTION}, resourceGroup: ${RG} } }`] : []),
    'environments:', env('dev'), env('staging'), env('prod'),
    'pipelines:',
    '  default:',
    '    data: { container: training-data, prefix: default/ }',
    '    training: { job: job.yaml }',
    '    deployment: { spec: deployment.yaml }',
    ...(suffix === 'ok' ? ['    rollout: { bakeSeconds: 120, maxStepSeconds: 600 }'] : []),
  ].join('\n'));
  return file;
}

/** An autopilot.yaml whose environments all use the local backend. */
function writeLocalConfig(): string {
  const file = join(dir, 'autopilot-local.yaml');
  writeFileSync(file, 'version: 1\npipelines:\n  default:\n    data: { prefix: default/ }\n    training: { job: job.yaml }\n    deployment: { spec: deployment.yaml }\n');
  return file;
}

/** A workspace with the computes and environments the specs name, and the caller's permissions. */
function healthyWorkspace(env: 'dev' | 'staging' | 'prod', suffix: string, permissions = env === 'prod' ? [AZUREML_DATA_SCIENTIST, MONITORING_READER] : [AZUREML_DATA_SCIENTIST]): void {
  const id = wsId(`ws-${env}-${suffix}`);
  arm.setWorkspace(id);
  routes.setPermissions(id, permissions);
  routes.addEnvironment(id, 'score-env', ['1', '2', '3']);
  if (env === 'dev') {
    routes.addCompute(id, 'cpu-cluster');
    routes.addEnvironment(id, 'train-env', ['1', '2']);
  }
}

function doctor(args: string[]) {
  return runCli(['doctor', ...args], {
    AzureWebJobsStorage: azurite.connectionString,
    AUTOPILOT_ARM_ENDPOINT: arm.url,
    NODE_EXTRA_CA_CERTS: caFile,
    ...identity.env,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'doctor-'));
  writeFileSync(join(dir, 'job.yaml'), JOB_SPEC);
  writeFileSync(join(dir, 'deployment.yaml'), DEPLOYMENT_SPEC);
  const tls = selfSignedCert();
  // One certificate for 127.0.0.1 serves the ARM fake and the HTTPS Azurite alike.
  caFile = join(dir, 'arm-ca.pem');
  writeFileSync(caFile, tls.cert);
  writeFileSync(join(dir, 'arm-key.pem'), tls.key);
  [azurite, arm, identity] = await Promise.all([startAzurite(), ArmMlFake.start(tls), FakeManagedIdentity.start({ claims: { oid: PRINCIPAL } })]);
  routes = DoctorArmRoutes.install(arm);
  storage = createStorage({ connectionString: azurite.connectionString });
  await Promise.all([
    storage.clients.blob.getContainerClient('training-data').createIfNotExists(),
    storage.clients.blob.getContainerClient('autopilot-artifacts').createIfNotExists(),
    storage.clients.queue.getQueueClient('autopilot-steps').createIfNotExists(),
    storage.clients.table('autopilot').createTable(),
    storage.clients.table('events').createTable(),
  ]);
});

afterAll(async () => {
  await Promise.all([azurite?.stop(), arm?.stop(), identity?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('autopilot doctor against Azurite, the ARM fake and a managed identity endpoint', () => {
  test('reports every check ok and exits 0 when storage, credential, workspaces, roles, compute and environments are in place', async () => {
    for (const env of ['dev', 'staging', 'prod'] as const) healthyWorkspace(env, 'ok');
    const result = await doctor(['--config', writeConfig('ok'), '--json']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; summary: Record<string, number>; checks: { name: string; status: string; detail: string }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual([
      'config',
      'storage', 'storage: container training-data', 'storage: container autopilot-artifacts', 'storage: queue autopilot-steps', 'storage: table autopilot', 'storage: table events',
      'credential',
      'dev: workspace', 'dev: permissions', 'dev: compute cpu-cluster', 'dev: environment train-env@latest', 'dev: environment score-env:3',
      'staging: workspace', 'staging: permissions', 'staging: environment score-env:3',
      'prod: workspace', 'prod: permissions', 'prod: environment score-env:3',
      'prod: canary timing (default)',
      'promotion: dev -> staging -> prod',
    ]);
    expect(report.checks.find((c) => c.name === 'credential')?.detail).toContain(`object id ${PRINCIPAL}`);
    expect(report.checks.find((c) => c.name === 'dev: environment train-env@latest')?.detail).toBe('exists (latest version 2)');
    // DefaultAzureCredential took the App Service managed identity path, for ARM's audience.
    expect(identity.requests.at(-1)).toMatchObject({ resource: new URL(arm.url).origin, apiVersion: '2019-08-01', headerOk: true });
    expect(arm.callsTo('GET', '/providers/Microsoft.Authorization/permissions').every((c) => c.apiVersion === PERMISSIONS_API_VERSION && c.status === 200)).toBe(true);
    for (const token of identity.issued) expect(result.stdout).not.toContain(token);
  });

  test('exits 1 and names the missing prod workspace, the missing staging action and the missing container, each with its fix', async () => {
    healthyWorkspace('dev', 'bad');
    // Staging's custom role lacks listKeys: smoke and shadow requests could not get the scoring key.
    healthyWorkspace('staging', 'bad', [{ actions: ['Microsoft.MachineLearningServices/workspaces/*'], notActions: ['Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action'] }]);
    // ws-prod-bad is never created.
    await storage.clients.blob.getContainerClient('training-data').deleteIfExists();
    try {
      const result = await doctor(['--config', writeConfig('bad')]);

      expect(result.code).toBe(1);
      const out = result.stdout;
      expect(out).toContain("✗ FAIL  prod: workspace: workspace 'ws-prod-bad' not found in resource group 'rg-mlops'");
      expect(out).toContain(`az ml workspace create --name ws-prod-bad --resource-group rg-mlops --subscription ${SUBSCRIPTION} --location westeurope`);
      expect(out).toContain('- skip  prod: permissions: needs the workspace');
      expect(out).toContain('✗ FAIL  staging: permissions: missing 1 of');
      expect(out).toContain('Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action');
      expect(out).toContain(`az role assignment create --assignee ${PRINCIPAL} --role "AzureML Data Scientist" --scope ${wsId('ws-staging-bad')}`);
      expect(out).toContain('✗ FAIL  storage: container training-data: missing');
      expect(out).toContain('az storage container create --name training-data --connection-string "$AzureWebJobsStorage"');
      expect(out).toContain('✓ ok    dev: permissions');
      // The default canary steps (10 s bake, 120 s at most) are too short for Azure Monitor's minute metrics.
      expect(out).toContain('! warn  prod: canary timing (default): bakeSeconds 10 < 120, maxStepSeconds 120 < 300');
      expect(out).toMatch(/under pipelines\.default:\n\s+rollout:\n\s+bakeSeconds: 120\n\s+maxStepSeconds: 600/);
      expect(out.trimEnd().split('\n').at(-1)).toMatch(/^\d+ ok, 2 warnings, 3 failed, 2 skipped: fix the failures above/);
      for (const token of identity.issued) expect(out).not.toContain(token);
      expect(out).not.toContain('AccountKey=');
    } finally {
      await storage.clients.blob.getContainerClient('training-data').createIfNotExists();
    }
  });

  test('when no credential works, lists the credential types tried and how to fix it, and skips the workspaces', async () => {
    const result = await runCli(['doctor', '--config', writeConfig('ok')], {
      AzureWebJobsStorage: azurite.connectionString,
      AUTOPILOT_ARM_ENDPOINT: arm.url,
      NODE_EXTRA_CA_CERTS: caFile,
      // A managed identity endpoint that refuses the caller, as with a stale IDENTITY_HEADER.
      IDENTITY_ENDPOINT: identity.env.IDENTITY_ENDPOINT,
      IDENTITY_HEADER: 'not-the-secret',
    });

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ FAIL  credential: DefaultAzureCredential could not get a token');
    expect(result.stdout).toMatch(/- .*ManagedIdentityCredential/);
    expect(result.stdout).toMatch(/- .*EnvironmentCredential/);
    expect(result.stdout).toContain('az login');
    expect(result.stdout).toContain('AZURE_CLIENT_ID');
    expect(result.stdout).toContain('- skip  prod: workspace: needs a working Azure credential');
  });
});

describe('autopilot doctor with identity-based storage (AzureWebJobsStorage__*)', () => {
  test('reaches the account with a managed identity token and reports the resources', async () => {
    const httpsAzurite = await startAzurite({ https: { certPath: join(dir, 'arm-ca.pem'), keyPath: join(dir, 'arm-key.pem') }, oauth: 'basic' });
    try {
      const uri = (port: number) => `https://127.0.0.1:${port}/devstoreaccount1`;
      const result = await runCli(['doctor', '--config', writeLocalConfig()], {
        AzureWebJobsStorage__blobServiceUri: uri(httpsAzurite.ports.blob),
        AzureWebJobsStorage__queueServiceUri: uri(httpsAzurite.ports.queue),
        AzureWebJobsStorage__tableServiceUri: uri(httpsAzurite.ports.table),
        NODE_EXTRA_CA_CERTS: caFile,
        ...identity.env,
      });

      expect(result.stdout).toContain('✓ ok    storage: account devstoreaccount1 answers at https://127.0.0.1:');
      expect(result.stdout).toContain('AzureWebJobsStorage__* (Entra ID, from the environment)');
      // A fresh account: the data container fails, what the app creates on first use warns.
      expect(result.stdout).toContain('az storage container create --name training-data --account-name devstoreaccount1 --auth-mode login');
      expect(result.stdout).toContain('! warn  storage: queue autopilot-steps: missing');
      expect(identity.requests.some((r) => r.resource === 'https://storage.azure.com' && r.headerOk)).toBe(true);
      expect(result.code).toBe(1);
    } finally {
      await httpsAzurite.stop();
    }
  });
});

describe('runDoctor in-process', () => {
  test('local environments are reported as nothing to check in Azure, and no credential is needed', async () => {
    const checks = await runDoctor({ configPath: writeLocalConfig(), env: { AzureWebJobsStorage: azurite.connectionString }, cwd: dir });

    expect(checks.find((c) => c.name === 'credential')).toMatchObject({ status: 'skip' });
    expect(checks.filter((c) => c.name.endsWith(': backend'))).toEqual(['dev', 'staging', 'prod'].map((e) => ({
      name: `${e}: backend`, status: 'skip', detail: 'local backend: nothing to check in Azure',
    })));
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
  });
});
