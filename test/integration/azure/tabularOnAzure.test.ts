import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { azureMlWorkspace, type AzureMlWorkspace } from '../../../adapters/azure/workspace/AzureMlWorkspace';
import { staticTokenCredential } from '../../../adapters/azure/workspace/staticTokenCredential';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { freePort } from '../../../devhost/freePort';
import { waitFor } from '../../support/waitFor';
import { bundleExample } from '../../../scripts/bundleExample';
import { ArmMlFake } from '../../fakes/armMl/ArmMlFake';
import { codeRoutes, type CodeRoutes } from '../../fakes/armMl/codeRoutes';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';

/**
 * The TypeScript example on Azure ML (examples/tabular/azure): Azure ML uploads a code folder
 * alone and its own inference server runs Python only, so the example ships a self-contained
 * bundle and a Node 20 container (Dockerfile + inference_config) that serves score.js.
 * What cannot run here: Azure ML building that image (no Docker, no Azure); docs/model-format.md says so.
 */
const ROOT = resolve(__dirname, '../../..');
const AZURE = join(ROOT, 'examples/tabular/azure');
let fake: ArmMlFake;
let azurite: RunningAzurite;
let codes: CodeRoutes;
let cert: string;
let away: string;
let server: ChildProcess | undefined;

beforeAll(async () => {
  bundleExample();
  const tls = selfSignedCert();
  cert = tls.cert;
  [fake, azurite] = await Promise.all([ArmMlFake.start(tls), startAzurite()]);
  fake.dataAccess.grantBlobRead('acct', 'submitter');
  codes = await codeRoutes(azurite.ports.blob);
  fake.addRoute(codes.route);
  away = mkdtempSync(join(tmpdir(), 'tabular-bundle-'));
});

afterAll(async () => {
  server?.kill('SIGKILL');
  await Promise.all([fake?.stop(), azurite?.stop()]);
  if (away) rmSync(away, { recursive: true, force: true });
});

function workspace(): AzureMlWorkspace {
  const ws = azureMlWorkspace({
    environment: 'prod',
    subscriptionId: '00000000-0000-0000-0000-00000000000d',
    resourceGroup: 'rg',
    workspace: 'ws-tabular',
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

/** The container's scoring server over a copied code folder and model, as Azure ML mounts them; resolves once it is live. */
async function startScoringServer(dir: string): Promise<{ process: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(dir, 'scoring-server.js')], {
    cwd: dir,
    stdio: 'ignore',
    env: {
      PATH: process.env['PATH'],
      AML_APP_ROOT: join(dir, 'code'),
      AZUREML_ENTRY_SCRIPT: 'score.js',
      AZUREML_MODEL_DIR: join(dir, 'model'),
      AUTOPILOT_SCORING_PORT: String(port),
      AUTOPILOT_SCORING_HOST: '127.0.0.1',
    },
  });
  // The liveness route of inference_config answers 200 once init() has loaded the model.
  await waitFor(
    'liveness 200',
    async () =>
      (await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.status === 200,
        () => false,
      )) || undefined,
    { timeoutMs: 60_000 },
  );
  return { process: child, port };
}

describe('the TypeScript example on Azure ML', () => {
  test("its code folder is self-contained: copied away from the repo, train.js trains and the container's scoring server serves score.js as Azure ML mounts it", async () => {
    // Nothing above the copy may lend it modules: no node_modules on the way up.
    for (let dir = away; dir !== dirname(dir); dir = dirname(dir)) expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    cpSync(join(AZURE, 'code'), join(away, 'code'), { recursive: true });
    copyFileSync(join(AZURE, 'environment/scoring-server.js'), join(away, 'scoring-server.js'));
    const trained = spawnSync(
      process.execPath,
      [
        'train.js',
        '--data',
        join(ROOT, 'examples/tabular/sample.csv'),
        '--label',
        'label',
        '--seed',
        '42',
        '--model-dir',
        join(away, 'model'),
      ],
      { cwd: join(away, 'code'), encoding: 'utf8' },
    );
    expect({ status: trained.status, stderr: trained.stderr }).toEqual({ status: 0, stderr: '' });
    expect(trained.stdout).toMatch(/validation_auc=0\.\d+/);

    let port: number;
    ({ process: server, port } = await startScoringServer(away));
    const columns = ['tenure_months', 'monthly_charges', 'total_charges', 'support_calls', 'age', 'contract', 'payment_method', 'region'];
    const answer = await fetch(`http://127.0.0.1:${port}/score`, {
      method: 'POST',
      body: JSON.stringify({
        input_data: {
          columns,
          data: [
            [24, 41.37, 962.53, 0, 58, 'one-year', 'mailed-check', 'north'],
            [2, 99.1, 198.2, 6, 23, 'month-to-month', 'electronic-check', 'west'],
          ],
        },
      }),
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { predictions: unknown[]; probabilities: number[][] };
    expect(body.predictions).toHaveLength(2);
    expect(body.probabilities[1]![1]!).toBeGreaterThan(body.probabilities[0]![1]!);
  });

  test('the bundled code trains a regressor with --task regression and the container answers one number per row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tabular-regressor-'));
    let regressor: ChildProcess | undefined;
    try {
      cpSync(join(AZURE, 'code'), join(dir, 'code'), { recursive: true });
      copyFileSync(join(AZURE, 'environment/scoring-server.js'), join(dir, 'scoring-server.js'));
      const diabetes = join(ROOT, 'test/fixtures/regression/diabetes.csv');
      const args = [
        'train.js',
        '--data',
        diabetes,
        '--label',
        'progression',
        '--seed',
        '42',
        '--task',
        'regression',
        '--model-dir',
        join(dir, 'model'),
      ];
      const trained = spawnSync(process.execPath, args, { cwd: join(dir, 'code'), encoding: 'utf8' });
      expect({ status: trained.status, stderr: trained.stderr }).toEqual({ status: 0, stderr: '' });
      // The metric names Azure ML's run (and the autopilot's MlflowMetrics) receive.
      expect(trained.stdout).toMatch(/train_rmse=\d+\.\d+ train_mae=\d+\.\d+ train_r2=0\.\d+/);
      expect(trained.stdout).toMatch(/validation_rmse=\d+\.\d+/);
      let port: number;
      ({ process: regressor, port } = await startScoringServer(dir));
      const answer = await fetch(`http://127.0.0.1:${port}/score`, {
        method: 'POST',
        body: JSON.stringify({
          input_data: {
            columns: ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'],
            data: [
              [59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87],
              [48, 1, 21.6, 87, 183, 103.2, 70, 3, 3.8918, 69],
            ],
          },
        }),
      });
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { predictions: unknown[] };
      expect(body).not.toHaveProperty('probabilities');
      expect(body.predictions.every((p) => typeof p === 'number' && Number.isFinite(p))).toBe(true);
      // A high-bmi, high-s5 patient progresses further than a low one.
      expect(body.predictions[0]).toBeGreaterThan(body.predictions[1] as number);
    } finally {
      regressor?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the azure backend registers the Dockerfile context as an environment with its inference_config and deploys score.js in it', async () => {
    const ws = workspace();
    await ws.endpoints.deploy({
      endpoint: 'tabular-prod',
      deployment: 'v001',
      model: { name: 'default', version: 1 },
      specPath: join(AZURE, 'deployment.yaml'),
    });
    const [environmentPut] = fake.calls.filter(
      (c) => c.method === 'PUT' && c.path.includes('/environments/tabular-node-20-serving/versions/'),
    );
    const context = [...codes.versions.values()].find((v) => v.id.includes('/codes/tabular-node-20-serving-context/'));
    expect(context).toBeDefined();
    expect(environmentPut!.body).toEqual({
      properties: expect.objectContaining({
        osType: 'Linux',
        build: { contextUri: context!.properties.codeUri, dockerfilePath: 'Dockerfile' },
        inferenceConfig: {
          livenessRoute: { port: 5001, path: '/health' },
          readinessRoute: { port: 5001, path: '/health' },
          scoringRoute: { port: 5001, path: '/score' },
        },
      }),
    });
    // The build context that went up holds the Dockerfile and the bundled scoring server.
    const uploaded: string[] = [];
    for await (const blob of codes.container.listBlobsFlat({ prefix: `${context!.properties.codeUri.split('/').pop()}/` }))
      uploaded.push(blob.name.split('/').slice(1).join('/'));
    expect(uploaded.sort()).toEqual(['Dockerfile', 'scoring-server.js']);

    const [deploymentPut] = fake.callsTo('PUT', '/onlineEndpoints/tabular-prod/deployments/v001');
    expect(deploymentPut!.body).toMatchObject({
      properties: {
        environmentId: environmentPut!.path,
        codeConfiguration: { scoringScript: 'score.js', codeId: expect.stringContaining('/codes/autopilot-code/versions/') },
      },
    });
  });

  test('its training job runs `node train.js` in the same context, registered without serving routes', async () => {
    const ws = workspace();
    await ws.jobs.submitJob({
      name: 'tabular-train-1',
      specPath: join(AZURE, 'job.yaml'),
      inputs: { training_data: { type: 'uri_file', path: 'https://acct.blob.core.windows.net/training-data/d.csv' } },
    });
    const [environmentPut] = fake.calls.filter((c) => c.method === 'PUT' && c.path.includes('/environments/tabular-node-20/versions/'));
    expect(environmentPut!.body).toMatchObject({ properties: { build: { dockerfilePath: 'Dockerfile' } } });
    expect((environmentPut!.body as { properties: object }).properties).not.toHaveProperty('inferenceConfig');
    expect(fake.callsTo('PUT', '/jobs/tabular-train-1')[0]!.body).toMatchObject({
      properties: {
        environmentId: environmentPut!.path,
        command: expect.stringMatching(/^node train\.js --data/),
      },
    });
  });
});
