import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { azureMlWorkspace, type AzureMlWorkspace } from '../../../adapters/azure/workspace/AzureMlWorkspace';
import { staticTokenCredential } from '../../../adapters/azure/workspace/staticTokenCredential';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { ArmMlFake } from '../../fakes/armMl/ArmMlFake';
import { codeRoutes } from '../../fakes/armMl/codeRoutes';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';

/**
 * Azure ML serves a model without a scoring script only when it is an MLflow model
 * (ModelVersion.modelType "Used for NCD"; how-to-deploy-mlflow-models-online-endpoints).
 * Before models carried their format, every version went to Azure as custom_model, so a
 * no-code deployment of an MLflow job output was refused there.
 */
let fake: ArmMlFake;
let azurite: RunningAzurite; // holds uploaded code
let dir: string;
let ws: AzureMlWorkspace;

beforeAll(async () => {
  const tls = selfSignedCert();
  [fake, azurite] = await Promise.all([ArmMlFake.start(tls), startAzurite()]);
  fake.addRoute((await codeRoutes(azurite.ports.blob)).route);
  dir = mkdtempSync(join(tmpdir(), 'azml-nocode-'));
  writeFileSync(join(dir, 'no-code.yaml'), 'instance_type: Standard_DS3_v2\ninstance_count: 1\n');
  writeFileSync(
    join(dir, 'inline-environment.yaml'),
    'code_configuration: { code: ., scoring_script: score.py }\nenvironment: { image: mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest }\n',
  );
  ws = azureMlWorkspace({
    environment: 'dev',
    subscriptionId: '00000000-0000-0000-0000-00000000000c',
    resourceGroup: 'rg',
    workspace: 'ws-nocode',
    location: 'westeurope',
    credential: staticTokenCredential('fake-token'),
    endpoint: fake.url,
    trustedCa: tls.cert,
    pollIntervalMs: 10,
  });
});

afterAll(async () => {
  await Promise.all([fake?.stop(), azurite?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('deployments without code on the azure backend', () => {
  test('an mlflow_model job output is registered with modelType mlflow_model and deployed with neither code nor environment', async () => {
    const model = await ws.models.registerModel({
      name: 'iris',
      source: { job: 'train-1', output: 'model_output', format: 'mlflow_model' },
      idempotencyKey: 'r1',
    });
    expect(model.format).toBe('mlflow_model');
    expect(fake.callsTo('PUT', '/models/iris/versions/1')[0]!.body).toMatchObject({
      properties: { modelType: 'mlflow_model', modelUri: 'azureml://jobs/train-1/outputs/model_output' },
    });
    expect((await ws.models.getModel({ name: 'iris', version: 1 }))?.format).toBe('mlflow_model');

    await ws.endpoints.deploy({
      endpoint: 'iris-dev',
      deployment: 'blue',
      model: { name: 'iris', version: 1 },
      specPath: join(dir, 'no-code.yaml'),
    });
    const [put] = fake.callsTo('PUT', '/onlineEndpoints/iris-dev/deployments/blue');
    expect(put!.status).toBeLessThan(300);
    const properties = (put!.body as { properties: Record<string, unknown> }).properties;
    expect(properties).not.toHaveProperty('codeConfiguration');
    expect(properties).not.toHaveProperty('environmentId');
  });

  test('the request sent before (the same files as custom_model, no code) is refused by the fake as Azure refuses it', async () => {
    await ws.models.registerModel({ name: 'untyped', source: { job: 'train-2', output: 'model_output' }, idempotencyKey: 'r2' });
    expect(fake.callsTo('PUT', '/models/untyped/versions/1')[0]!.body).toMatchObject({ properties: { modelType: 'custom_model' } });
    await expect(
      ws.endpoints.deploy({
        endpoint: 'iris-dev',
        deployment: 'green',
        model: { name: 'untyped', version: 1 },
        specPath: join(dir, 'no-code.yaml'),
      }),
    ).rejects.toThrow(/custom_model: only an mlflow_model can be deployed without codeConfiguration and environmentId/);
  });

  test('an inline image environment is registered once as an environment version and the deployment references it', async () => {
    const spec = join(dir, 'inline-environment.yaml');
    await ws.endpoints.deploy({ endpoint: 'iris-dev', deployment: 'inline', model: { name: 'untyped', version: 1 }, specPath: spec });
    const environmentPuts = fake.calls.filter((c) => c.method === 'PUT' && c.path.includes('/environments/'));
    expect(environmentPuts).toHaveLength(1);
    expect(environmentPuts[0]!.body).toMatchObject({
      properties: { image: 'mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest', osType: 'Linux' },
    });
    const [put] = fake.callsTo('PUT', '/onlineEndpoints/iris-dev/deployments/inline');
    expect((put!.body as { properties: { environmentId: string } }).properties.environmentId).toBe(environmentPuts[0]!.path);
    // The same definition again: found by its version (the content's hash), not registered twice.
    await ws.endpoints.deploy({ endpoint: 'iris-dev', deployment: 'inline2', model: { name: 'untyped', version: 1 }, specPath: spec });
    expect(fake.calls.filter((c) => c.method === 'PUT' && c.path.includes('/environments/'))).toHaveLength(1);
  });

  test('a scoring script without any environment is refused before anything reaches Azure', async () => {
    writeFileSync(join(dir, 'no-environment.yaml'), 'code_configuration: { code: ., scoring_script: score.py }\n');
    const before = fake.calls.length;
    await expect(
      ws.endpoints.deploy({
        endpoint: 'iris-dev',
        deployment: 'bare',
        model: { name: 'untyped', version: 1 },
        specPath: join(dir, 'no-environment.yaml'),
      }),
    ).rejects.toThrow(/a deployment with code_configuration needs `environment:`/);
    expect(fake.calls.slice(before)).toEqual([]);
  });

  test('refuses an inline environment whose build.dockerfile_path leaves the build context, before anything is uploaded or registered', async () => {
    // Only the context folder goes up: Azure ML's image build would not find a Dockerfile beside it.
    mkdirSync(join(dir, 'docker'), { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.11-slim\n');
    writeFileSync(
      join(dir, 'outside-dockerfile.yaml'),
      'code_configuration: { code: ., scoring_script: score.py }\nenvironment: { name: outside, build: { path: docker, dockerfile_path: ../Dockerfile } }\n',
    );
    const before = fake.calls.length;
    await expect(
      ws.endpoints.deploy({
        endpoint: 'iris-dev',
        deployment: 'outside',
        model: { name: 'untyped', version: 1 },
        specPath: join(dir, 'outside-dockerfile.yaml'),
      }),
    ).rejects.toThrow(/environment\.build\.dockerfile_path '\.\.\/Dockerfile' is outside the build context/);
    expect(fake.calls.slice(before).filter((c) => c.method !== 'GET')).toEqual([]);
  });
});
