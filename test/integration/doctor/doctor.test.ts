import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDoctor } from '../../../adapters/azure/doctor';
import { createStorage, type Storage } from '../../../adapters/azure/storage';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { ArmMlFake } from '../../fakes/armMl/ArmMlFake';
import { AZUREML_DATA_SCIENTIST, DoctorArmRoutes, MONITORING_READER, PERMISSIONS_API_VERSION } from '../../fakes/armMl/doctorRoutes';
import { FakeMetricDefinitions, METRIC_DEFINITIONS_API_VERSION } from '../../fakes/armMl/FakeMonitorMetrics';
import { APP_ID, APP_ID_URI, FakeEntraId, TENANT } from '../../fakes/entra/FakeEntraId';
import type { TokenCredential } from '@azure/core-auth';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';
import { FakeManagedIdentity } from '../../fakes/identity/FakeManagedIdentity';
import { runCli } from '../cli/runCli';

const SUBSCRIPTION = '00000000-0000-0000-0000-0000000000d0';
const RG = 'rg-mlops';
const PRINCIPAL = '11111111-2222-3333-4444-555555555555';
const wsId = (name: string) =>
  `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.MachineLearningServices/workspaces/${name}`;
/** Azurite's account, the app's storage account in these tests, as the ARM fake knows it. */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}`;

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
let definitions: FakeMetricDefinitions;
let entra: FakeEntraId;
let armCa: string;
let identity: FakeManagedIdentity;
let dir: string;
let caFile: string;

/** An autopilot.yaml whose three environments all use Azure ML workspaces named `ws-<env>-<suffix>`; `ok` gives canary steps long enough for Azure Monitor's minute metrics and a model registry. */
function writeConfig(suffix: string): string {
  const env = (e: string) =>
    `  ${e}: { backend: azure, subscriptionId: ${SUBSCRIPTION}, resourceGroup: ${RG}, workspace: ws-${e}-${suffix}, location: westeurope }`;
  const file = join(dir, `autopilot-${suffix}.yaml`);
  writeFileSync(
    file,
    [
      'version: 1',
      ...(suffix === 'ok' ? [`azure: { registry: { name: mlreg, subscriptionId: ${SUBSCRIPTION}, resourceGroup: ${RG} } }`] : []),
      'environments:',
      env('dev'),
      env('staging'),
      env('prod'),
      'pipelines:',
      '  default:',
      '    data: { container: training-data, prefix: default/ }',
      '    training: { job: job.yaml }',
      '    deployment: { spec: deployment.yaml }',
      ...(suffix === 'ok' ? ['    rollout: { bakeSeconds: 120, maxStepSeconds: 600 }'] : []),
    ].join('\n'),
  );
  return file;
}

/** An autopilot.yaml whose environments all use the local backend. */
function writeLocalConfig(): string {
  const file = join(dir, 'autopilot-local.yaml');
  writeFileSync(
    file,
    'version: 1\npipelines:\n  default:\n    data: { prefix: default/ }\n    training: { job: job.yaml }\n    deployment: { spec: deployment.yaml }\n',
  );
  return file;
}

/**
 * A workspace with the computes and environments the specs name, the caller's permissions, and
 * the identity-based data datastore on the app's account (Azurite's) as infra/main.json registers it.
 */
function healthyWorkspace(
  env: 'dev' | 'staging' | 'prod',
  suffix: string,
  permissions = env === 'prod' ? [AZUREML_DATA_SCIENTIST, MONITORING_READER] : [AZUREML_DATA_SCIENTIST],
): void {
  const id = wsId(`ws-${env}-${suffix}`);
  arm.setWorkspace(id);
  routes.setPermissions(id, permissions);
  routes.addEnvironment(id, 'score-env', ['1', '2', '3']);
  arm.dataAccess.seedDatastore(id, 'autopilot_artifacts', { accountName: ACCOUNT, containerName: 'autopilot-artifacts' });
  if (env === 'dev') {
    routes.addCompute(id, 'cpu-cluster');
    routes.addEnvironment(id, 'train-env', ['1', '2']);
  }
}

/** A credential whose token names the principal (the ARM fake wants only a bearer token). */
const credential: TokenCredential = {
  getToken: async () => ({
    token: `e30.${Buffer.from(JSON.stringify({ oid: PRINCIPAL })).toString('base64url')}.sig`,
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
};

/** runDoctor in this process against Azurite and the ARM fake, with extra settings. */
function doctorInProcess(configPath: string, env: Record<string, string> = {}) {
  return runDoctor({
    configPath,
    cwd: dir,
    credential,
    trustedCa: armCa,
    env: { AzureWebJobsStorage: azurite.connectionString, AUTOPILOT_ARM_ENDPOINT: arm.url, ...env },
  });
}

const byName = <T extends { name: string }>(checks: T[], name: string): T | undefined => checks.find((c) => c.name === name);

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
  armCa = tls.cert;
  [azurite, arm, identity, entra] = await Promise.all([
    startAzurite(),
    ArmMlFake.start(tls),
    FakeManagedIdentity.start({ claims: { oid: PRINCIPAL } }),
    FakeEntraId.start(),
  ]);
  routes = DoctorArmRoutes.install(arm);
  definitions = FakeMetricDefinitions.install(arm);
  // The app's storage account, in the workspaces' resource group, and the app's identity may read its blobs.
  routes.addStorageAccount(ACCOUNT_ID);
  arm.dataAccess.grantBlobRead(ACCOUNT, 'submitter');
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
  await Promise.all([azurite?.stop(), arm?.stop(), identity?.stop(), entra?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('autopilot doctor against Azurite, the ARM fake and a managed identity endpoint', () => {
  test('reports every check ok and exits 0 when storage, credential, workspaces, roles, compute and environments are in place', async () => {
    for (const env of ['dev', 'staging', 'prod'] as const) healthyWorkspace(env, 'ok');
    arm.seedEndpoint(wsId('ws-prod-ok'), 'default-prod');
    const result = await doctor(['--config', writeConfig('ok'), '--json']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      summary: Record<string, number>;
      checks: { name: string; status: string; detail: string }[];
    };
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual([
      'config',
      'storage',
      'storage: container training-data',
      'storage: container autopilot-artifacts',
      'storage: queue autopilot-steps',
      'storage: table autopilot',
      'storage: table events',
      'credential',
      'dev: workspace',
      'dev: permissions',
      'dev: compute cpu-cluster',
      'dev: environment train-env@latest',
      'dev: environment score-env:3',
      'dev: datastore autopilot_artifacts',
      'dev: job data role',
      'staging: workspace',
      'staging: permissions',
      'staging: environment score-env:3',
      'staging: datastore autopilot_artifacts',
      'prod: workspace',
      'prod: permissions',
      'prod: environment score-env:3',
      'prod: datastore autopilot_artifacts',
      'prod: metric aggregations (default)',
      'prod: canary timing (default)',
      'promotion: dev -> staging -> prod',
      'sign-in',
    ]);
    expect(report.checks.find((c) => c.name === 'credential')?.detail).toContain(`object id ${PRINCIPAL}`);
    expect(report.checks.find((c) => c.name === 'dev: environment train-env@latest')?.detail).toBe('exists (latest version 2)');
    // DefaultAzureCredential took the App Service managed identity path, for ARM's audience.
    expect(identity.requests.at(-1)).toMatchObject({ resource: new URL(arm.url).origin, apiVersion: '2019-08-01', headerOk: true });
    expect(
      arm
        .callsTo('GET', '/providers/Microsoft.Authorization/permissions')
        .every((c) => c.apiVersion === PERMISSIONS_API_VERSION && c.status === 200),
    ).toBe(true);
    for (const token of identity.issued) expect(result.stdout).not.toContain(token);
  });

  test('exits 1 and names the missing prod workspace, the missing staging action and the missing container, each with its fix', async () => {
    healthyWorkspace('dev', 'bad');
    // Staging's custom role lacks listKeys: smoke and shadow requests could not get the scoring key.
    healthyWorkspace('staging', 'bad', [
      {
        actions: ['Microsoft.MachineLearningServices/workspaces/*'],
        notActions: ['Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action'],
      },
    ]);
    // ws-prod-bad is never created.
    await storage.clients.blob.getContainerClient('training-data').deleteIfExists();
    try {
      const result = await doctor(['--config', writeConfig('bad')]);

      expect(result.code).toBe(1);
      const out = result.stdout;
      expect(out).toContain("✗ FAIL  prod: workspace: workspace 'ws-prod-bad' not found in resource group 'rg-mlops'");
      expect(out).toContain(
        `az ml workspace create --name ws-prod-bad --resource-group rg-mlops --subscription ${SUBSCRIPTION} --location westeurope`,
      );
      expect(out).toContain('- skip  prod: permissions: needs the workspace');
      expect(out).toContain('✗ FAIL  staging: permissions: missing 1 of');
      expect(out).toContain('Microsoft.MachineLearningServices/workspaces/onlineEndpoints/listKeys/action');
      expect(out).toContain(
        `az role assignment create --assignee ${PRINCIPAL} --role "AzureML Data Scientist" --scope ${wsId('ws-staging-bad')}`,
      );
      expect(out).toContain('✗ FAIL  storage: container training-data: missing');
      expect(out).toContain('az storage container create --name training-data --connection-string "$AzureWebJobsStorage"');
      expect(out).toContain('✓ ok    dev: permissions');
      // The default canary steps (10 s bake, 120 s at most) are too short for Azure Monitor's minute metrics.
      expect(out).toContain('! warn  prod: canary timing (default): bakeSeconds 10 < 120, maxStepSeconds 120 < 300');
      expect(out).toMatch(/under pipelines\.default:\n\s+rollout:\n\s+bakeSeconds: 120\n\s+maxStepSeconds: 600/);
      // Also skipped for want of the prod workspace: its datastore and its endpoint's metric definitions.
      expect(out).toContain('- skip  prod: metric aggregations (default): needs the workspace');
      expect(out.trimEnd().split('\n').at(-1)).toMatch(/^\d+ ok, 2 warnings, 3 failed, 4 skipped: fix the failures above/);
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
    const httpsAzurite = await startAzurite({
      https: { certPath: join(dir, 'arm-ca.pem'), keyPath: join(dir, 'arm-key.pem') },
      oauth: 'basic',
    });
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
    expect(checks.filter((c) => c.name.endsWith(': backend'))).toEqual(
      ['dev', 'staging', 'prod'].map((e) => ({
        name: `${e}: backend`,
        status: 'skip',
        detail: 'local backend: nothing to check in Azure',
      })),
    );
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
  });
});

describe('autopilot doctor: what the findings taught', () => {
  test('data datastore: missing fails, stored credentials warn, another account fails, the identity-based one on the app account passes', async () => {
    for (const env of ['dev', 'staging', 'prod'] as const) healthyWorkspace(env, 'ds');
    // dev: never registered; staging: an account key; prod: another account's container.
    arm.dataAccess.seedDatastore(wsId('ws-staging-ds'), 'autopilot_data', {
      accountName: ACCOUNT,
      containerName: 'autopilot-artifacts',
      credentialsType: 'AccountKey',
    });
    arm.dataAccess.seedDatastore(wsId('ws-prod-ds'), 'autopilot_data', {
      accountName: 'otheraccount',
      containerName: 'autopilot-artifacts',
    });
    const bad = await doctorInProcess(writeConfig('ds'), { AUTOPILOT_DATA_DATASTORE: 'autopilot_data' });

    expect(byName(bad, 'dev: datastore autopilot_data')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('is not registered; training jobs read their data through it'),
    });
    expect(byName(bad, 'dev: datastore autopilot_data')?.fix).toContain(
      `az ml datastore create --file datastore.yml --resource-group ${RG} --workspace-name ws-dev-ds`,
    );
    expect(byName(bad, 'dev: datastore autopilot_data')?.fix).toContain(`account_name: ${ACCOUNT}`);
    expect(byName(bad, 'staging: datastore autopilot_data')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('holds credentials (AccountKey)'),
    });
    expect(byName(bad, 'prod: datastore autopilot_data')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(
        `points at account otheraccount, container autopilot-artifacts, but the app writes the data jobs read to account ${ACCOUNT}`,
      ),
    });

    // The default name, registered by healthyWorkspace as infra/main.json does.
    const good = await doctorInProcess(writeConfig('ds'));
    for (const env of ['dev', 'staging', 'prod']) {
      expect(byName(good, `${env}: datastore autopilot_artifacts`)).toMatchObject({
        status: 'ok',
        detail: expect.stringContaining(`identity-based AzureBlob datastore on account ${ACCOUNT}, container autopilot-artifacts`),
      });
    }
  });

  test("job data role: fails without a blob data role on the app's account, passes with one, and says when the account is not where it looks", async () => {
    healthyWorkspace('dev', 'role');
    const config = writeConfig('role');
    arm.dataAccess.revokeBlobRead(ACCOUNT, 'submitter');
    try {
      const without = await doctorInProcess(config);
      expect(byName(without, 'dev: job data role')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining(
          `(object id ${PRINCIPAL}) lacks Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read on ${ACCOUNT_ID}`,
        ),
      });
      expect(byName(without, 'dev: job data role')?.fix).toContain(
        `az role assignment create --assignee ${PRINCIPAL} --role "Storage Blob Data Reader" --scope ${ACCOUNT_ID}`,
      );
    } finally {
      arm.dataAccess.grantBlobRead(ACCOUNT, 'submitter');
    }
    const granted = await doctorInProcess(config);
    expect(byName(granted, 'dev: job data role')).toMatchObject({ status: 'ok', detail: expect.stringContaining('can read their data') });
    expect(arm.callsTo('GET', `${ACCOUNT_ID}/providers/Microsoft.Authorization/permissions`).at(-1)).toMatchObject({
      apiVersion: PERMISSIONS_API_VERSION,
      status: 200,
    });

    // An account the fake has no resource for in that group: nothing is claimed.
    const elsewhere = await doctorInProcess(config, {
      AzureWebJobsStorage: azurite.connectionString.replace(`AccountName=${ACCOUNT}`, 'AccountName=elsewhere'),
    });
    expect(byName(elsewhere, 'dev: job data role')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(`not checked: storage account elsewhere is not in resource group ${RG}`),
    });
  });

  test('metric aggregations: skipped until the prod endpoint exists, ok when RequestsPerMinute and the latencies offer Average, fail when not', async () => {
    for (const env of ['dev', 'staging', 'prod'] as const) healthyWorkspace(env, 'metrics');
    const config = writeConfig('metrics');
    const before = await doctorInProcess(config);
    expect(byName(before, 'prod: metric aggregations (default)')).toMatchObject({
      status: 'skip',
      detail: 'no endpoint default-prod yet: runs once a release has deployed to prod',
    });

    arm.seedEndpoint(wsId('ws-prod-metrics'), 'default-prod');
    const ok = await doctorInProcess(config);
    expect(byName(ok, 'prod: metric aggregations (default)')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('RequestsPerMinute (Average), RequestLatency_P50 (Average), RequestLatency_P99 (Average)'),
    });
    expect(arm.callsTo('GET', '/onlineEndpoints/default-prod/providers/Microsoft.Insights/metricDefinitions').at(-1)).toMatchObject({
      apiVersion: METRIC_DEFINITIONS_API_VERSION,
      status: 200,
    });

    definitions.setAggregations('RequestsPerMinute', ['total', 'count']);
    try {
      const changed = await doctorInProcess(config);
      expect(byName(changed, 'prod: metric aggregations (default)')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('RequestsPerMinute: supports Total, Count, not Average'),
      });
      expect(byName(changed, 'prod: metric aggregations (default)')?.fix).toContain('endpointTraffic.ts');
    } finally {
      definitions.setAggregations('RequestsPerMinute', ['average']);
    }
  });

  test('sign-in: local tokens locally; in Azure Functions the settings are required and well-formed, and the tenant answers', async () => {
    const config = writeLocalConfig();
    const local = await runDoctor({ configPath: config, cwd: dir, env: { AzureWebJobsStorage: azurite.connectionString } });
    expect(byName(local, 'sign-in')).toMatchObject({ status: 'ok', detail: expect.stringContaining('local tokens') });

    const onAzure = { AzureWebJobsStorage: azurite.connectionString, WEBSITE_INSTANCE_ID: 'abc123' };
    const none = await runDoctor({ configPath: config, cwd: dir, env: onAzure });
    expect(byName(none, 'sign-in: settings')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('every API call answers 503'),
    });
    expect(byName(none, 'sign-in: settings')?.fix).toContain('infra/entra-app.sh');

    const malformed = await runDoctor({
      configPath: config,
      cwd: dir,
      env: { ...onAzure, AUTOPILOT_ENTRA_TENANT_ID: 'contoso.onmicrosoft.com', AUTOPILOT_ENTRA_AUDIENCE: 'autopilot' },
    });
    expect(byName(malformed, 'sign-in: settings')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(
        /'contoso\.onmicrosoft\.com' is not a directory \(tenant\) id[\s\S]*AUTOPILOT_ENTRA_AUDIENCE 'autopilot'/,
      ),
    });
    expect(byName(malformed, 'sign-in: openid configuration')).toBeUndefined();

    const entraEnv = { ...onAzure, AUTOPILOT_ENTRA_AUTHORITY: entra.authority, AUTOPILOT_ENTRA_AUDIENCE: `${APP_ID_URI},${APP_ID}` };
    const unknownTenant = await runDoctor({
      configPath: config,
      cwd: dir,
      env: { ...entraEnv, AUTOPILOT_ENTRA_TENANT_ID: '99999999-2222-3333-4444-555555555555' },
    });
    expect(byName(unknownTenant, 'sign-in: openid configuration')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('answered HTTP 400 (invalid_tenant: AADSTS90002'),
    });

    const fetched = entra.keysFetched.length;
    const good = await runDoctor({ configPath: config, cwd: dir, env: { ...entraEnv, AUTOPILOT_ENTRA_TENANT_ID: TENANT } });
    expect(byName(good, 'sign-in: settings')).toMatchObject({
      status: 'ok',
      detail: `Entra ID tokens of tenant ${TENANT} for ${APP_ID_URI}, ${APP_ID} (authority ${entra.authority})`,
    });
    expect(byName(good, 'sign-in: openid configuration')).toMatchObject({
      status: 'ok',
      detail: `issuer ${entra.issuer}; 1 RSA signing key at ${entra.authority}/${TENANT}/discovery/v2.0/keys`,
    });
    expect(entra.keysFetched.length).toBe(fetched + 1);
    // Not checked, and said so: the roles need Microsoft Graph.
    expect(byName(good, 'sign-in: app roles')).toMatchObject({
      status: 'skip',
      detail: expect.stringContaining('Reader, DataScientist.Dev, MLEngineer.Dev, MLEngineer.Staging, MLEngineer.Prod'),
    });
    expect(byName(good, 'sign-in: app roles')?.fix).toContain(`az ad app show --id ${APP_ID} --query "appRoles[].value"`);
  });

  test('app folder: in Azure Functions a state folder inside it or a local environment fails; app settings that make every environment azure pass', async () => {
    const onAzure = { AzureWebJobsStorage: azurite.connectionString, WEBSITE_INSTANCE_ID: 'abc123', AzureWebJobsScriptRoot: dir };
    const bad = await runDoctor({ configPath: writeLocalConfig(), cwd: dir, env: { ...onAzure, AUTOPILOT_STATE_DIR: '.autopilot' } });
    const folder = byName(bad, 'app folder');
    expect(folder).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(`AUTOPILOT_STATE_DIR '.autopilot' is inside the app folder ${dir}`),
    });
    // The app's own start-up rule (refuseLocalBackendOnAzure), once per local environment.
    expect(folder?.detail).toContain('environments.dev.backend: is local, but this app runs in Azure Functions');
    expect(folder?.detail).toContain('environments.prod.backend');
    expect(folder?.fix).toContain('AUTOPILOT_BACKEND=azure');

    // The template's app settings fill the environments the packaged file leaves out, as the app loads it.
    for (const env of ['dev', 'staging', 'prod'] as const) healthyWorkspace(env, 'app');
    const appSettings = {
      AUTOPILOT_BACKEND: 'azure',
      AZURE_SUBSCRIPTION_ID: SUBSCRIPTION,
      AUTOPILOT_RESOURCE_GROUP: RG,
      AUTOPILOT_LOCATION: 'westeurope',
      AUTOPILOT_DEV_WORKSPACE: 'ws-dev-app',
      AUTOPILOT_STAGING_WORKSPACE: 'ws-staging-app',
      AUTOPILOT_PROD_WORKSPACE: 'ws-prod-app',
    };
    const good = await doctorInProcess(writeLocalConfig(), {
      ...onAzure,
      ...appSettings,
      AUTOPILOT_STATE_DIR: join(tmpdir(), 'autopilot-state'),
    });
    expect(byName(good, 'config')?.detail).toContain('dev: azure, staging: azure, prod: azure');
    expect(byName(good, 'dev: workspace')).toMatchObject({ status: 'ok', detail: expect.stringContaining('ws-dev-app') });
    expect(byName(good, 'app folder')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('AUTOPILOT_STATE_DIR is outside it, no environment on the local backend'),
    });
  });
});
