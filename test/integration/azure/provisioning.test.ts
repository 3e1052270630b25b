import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { waitFor } from '../../support/waitFor';
import { azureMlWorkspace } from '../../../adapters/azure/workspace/AzureMlWorkspace';
import { staticTokenCredential } from '../../../adapters/azure/workspace/staticTokenCredential';
import { ArmMlFake } from '../../fakes/armMl/ArmMlFake';
import { codeRoutes } from '../../fakes/armMl/codeRoutes';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';

let fake: ArmMlFake;
let azurite: RunningAzurite;
let cert: string;
let dir: string;

beforeAll(async () => {
  const tls = selfSignedCert();
  cert = tls.cert;
  [fake, azurite] = await Promise.all([ArmMlFake.start(tls), startAzurite()]);
  fake.seedEnvironment('score-env', '3');
  fake.addRoute((await codeRoutes(azurite.ports.blob)).route);
  dir = mkdtempSync(join(tmpdir(), 'azml-provisioning-'));
  writeFileSync(
    join(dir, 'deployment.yaml'),
    'code_configuration: { code: ., scoring_script: score.py }\nenvironment: azureml:score-env:3\ninstance_type: Standard_DS3_v2\n',
  );
  writeFileSync(join(dir, 'score.py'), 'def init(): pass\n');
});

afterAll(async () => {
  await Promise.all([fake?.stop(), azurite?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('deployments that take longer than a step should wait', () => {
  test('deploy answers "creating" after its wait budget instead of holding the invocation, and the deployment serves later', async () => {
    // Held, not timed: a loaded machine cannot let provisioning finish inside the wait budget.
    fake.holdProvisioning = true;
    const ws = azureMlWorkspace({
      environment: 'prod',
      subscriptionId: '00000000-0000-0000-0000-000000000009',
      resourceGroup: 'rg',
      workspace: 'ws-slow',
      location: 'westeurope',
      credential: staticTokenCredential('fake-token'),
      endpoint: fake.url,
      trustedCa: cert,
      pollIntervalMs: 50,
      provisioningWaitSeconds: 0.2,
    });
    const info = await ws.endpoints.deploy({
      endpoint: 'slow-ep',
      deployment: 'blue',
      model: { name: 'churn', version: 1 },
      specPath: join(dir, 'deployment.yaml'),
    });
    expect(info).toMatchObject({ name: 'blue', state: 'creating' });
    expect((await ws.endpoints.getEndpoint('slow-ep'))?.deployments).toEqual([
      expect.objectContaining({ name: 'blue', state: 'creating' }),
    ]);
    // Azure finishes provisioning with nobody polling the operation.
    fake.finishProvisioning();
    const served = await waitFor(
      'blue to be provisioned',
      async () => (await ws.endpoints.getEndpoint('slow-ep'))?.deployments.find((d) => d.state === 'succeeded'),
      { timeoutMs: 60_000 },
    );
    expect(served.name).toBe('blue');
    expect(fake.callsTo('PUT', '/onlineEndpoints/slow-ep/deployments/blue')).toHaveLength(1);
  });
});

describe('a deployment put raw (data_collector) whose operation fails', () => {
  test("keeps Azure's reason: the release says why, not 'unknown error'", async () => {
    writeFileSync(
      join(dir, 'collecting.yaml'),
      "code_configuration: { code: ., scoring_script: score.py }\nenvironment: azureml:score-env:3\ninstance_type: Standard_DS3_v2\ndata_collector:\n  collections:\n    request: { enabled: 'True' }\n    response: { enabled: 'True' }\n",
    );
    const deployment = /\/workspaces\/ws-broken\/onlineEndpoints\/broken-ep\/deployments\/red$/i;
    const operation = '/test/operations/red-failed';
    let stored: Record<string, unknown> | undefined;
    // As Azure ML answers a deployment whose container never became ready: 201 with
    // Azure-AsyncOperation, the operation ends Failed with its error, the deployment is Failed.
    fake.addRoute((method, url, body) => {
      if (url.pathname === operation && method === 'GET') {
        return [
          200,
          { id: operation, status: 'Failed', error: { code: 'ResourceNotReady', message: 'User container has crashed or terminated.' } },
        ];
      }
      if (!deployment.test(url.pathname)) return undefined;
      if (method === 'PUT') {
        const b = body as { properties: Record<string, unknown> };
        stored = { ...b, id: url.pathname, name: 'red', properties: { ...b.properties, provisioningState: 'Creating' } };
        return [201, stored, { 'azure-asyncoperation': `${fake.url}${operation}` }];
      }
      if (method === 'GET' && stored)
        return [200, { ...stored, properties: { ...(stored.properties as object), provisioningState: 'Failed' } }];
      return undefined;
    });
    const ws = azureMlWorkspace({
      environment: 'dev',
      subscriptionId: '00000000-0000-0000-0000-00000000000a',
      resourceGroup: 'rg',
      workspace: 'ws-broken',
      location: 'westeurope',
      credential: staticTokenCredential('fake-token'),
      endpoint: fake.url,
      trustedCa: cert,
      pollIntervalMs: 10,
    });
    const info = await ws.endpoints.deploy({
      endpoint: 'broken-ep',
      deployment: 'red',
      model: { name: 'churn', version: 1 },
      specPath: join(dir, 'collecting.yaml'),
    });
    expect(info).toMatchObject({
      name: 'red',
      state: 'failed',
      error: expect.stringMatching(/ResourceNotReady: User container has crashed/),
    });
  });
});
