import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { azureMlWorkspace, type AzureMlWorkspace } from '../../../adapters/azure/workspace/AzureMlWorkspace';
import { staticTokenCredential } from '../../../adapters/azure/workspace/staticTokenCredential';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { ArmMlFake, MIRROR_API_VERSION, STABLE_API_VERSION, type RecordedCall } from '../../fakes/armMl/ArmMlFake';
import { codeRoutes } from '../../fakes/armMl/codeRoutes';
import { checkAgainstRestSpec } from '../../fakes/armMl/restSpec';
import { rawArmRequest } from '../../fakes/armMl/rawArmRequest';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';

/**
 * The ARM fake judges every PUT/PATCH/POST body against the published REST spec of its api-version
 * (test/fixtures/rest-spec, Azure/azure-rest-api-specs@053f21f6): what our client really sends
 * passes, and a body off the spec is answered 400 naming the JSON pointer, as ARM does.
 */
const JOB_SPEC = `
type: command
code: .
command: python train.py --data \${{inputs.data}} --out \${{outputs.model}}
inputs:
  data: { type: uri_file }
outputs:
  model: { type: custom_model }
environment: azureml:train-env:1
compute: azureml:cpu-cluster
`;
const DEPLOYMENT_SPEC = `
code_configuration: { code: ., scoring_script: score.py }
environment: azureml:score-env:1
instance_type: Standard_DS3_v2
request_settings: { request_timeout_ms: 3000, max_queue_wait_ms: 500 }
liveness_probe: { initial_delay: 30, period: 15 }
`;

let fake: ArmMlFake;
let azurite: RunningAzurite;
let cert: string;
let dir: string;
let ws: AzureMlWorkspace;

beforeAll(async () => {
  const tls = selfSignedCert();
  cert = tls.cert;
  [fake, azurite] = await Promise.all([ArmMlFake.start(tls), startAzurite()]);
  fake.seedEnvironment('train-env', '1');
  fake.seedEnvironment('score-env', '1');
  fake.addRoute((await codeRoutes(azurite.ports.blob)).route);
  dir = mkdtempSync(join(tmpdir(), 'rest-spec-'));
  writeFileSync(join(dir, 'job.yaml'), JOB_SPEC);
  writeFileSync(join(dir, 'deployment.yaml'), DEPLOYMENT_SPEC);
  writeFileSync(join(dir, 'score.py'), 'def init(): pass\n');
  ws = azureMlWorkspace({
    environment: 'dev',
    subscriptionId: '00000000-0000-0000-0000-00000000005e',
    resourceGroup: 'rg',
    workspace: 'ws-spec',
    location: 'westeurope',
    credential: staticTokenCredential('fake-token'),
    endpoint: fake.url,
    trustedCa: cert,
    pollIntervalMs: 10,
  });
  // The datastore the job's blob URL is read through (infra/main.json registers it).
  fake.dataAccess.seedDatastore(ws.workspacePath, 'autopilot_artifacts', { accountName: 'acct', containerName: 'd' });
  fake.dataAccess.grantBlobRead('acct', 'submitter');
});

afterAll(async () => {
  await Promise.all([fake?.stop(), azurite?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A raw request to the fake, as a client that does not go through our adapters would send it. */
function send(method: string, path: string, apiVersion: string, body: unknown): Promise<{ status: number; text: string }> {
  return rawArmRequest(`${fake.url}${ws.workspacePath}${path}?api-version=${apiVersion}`, method, body, cert);
}

const bodyOf = (call: RecordedCall | undefined) => structuredClone(call!.body) as { properties: Record<string, any>; [k: string]: any };

describe('the ARM fake judges request bodies against the REST spec', () => {
  test('what our client sends (job, code asset, model, endpoint, deployment, traffic and mirror splits) passes the spec of its api-version', async () => {
    await ws.jobs.submitJob({
      name: 'train-1',
      specPath: join(dir, 'job.yaml'),
      inputs: { data: { type: 'uri_file', path: 'https://acct.blob.core.windows.net/d/data.csv' } },
      tags: { releaseId: 'r1' },
    });
    await ws.models.registerModel({ name: 'churn', source: { job: 'train-1', output: 'model' }, idempotencyKey: 'r1' });
    await ws.endpoints.deploy({
      endpoint: 'churn-ep',
      deployment: 'blue',
      model: { name: 'churn', version: 1 },
      specPath: join(dir, 'deployment.yaml'),
    });
    await ws.endpoints.deploy({
      endpoint: 'churn-ep',
      deployment: 'green',
      model: { name: 'churn', version: 1 },
      specPath: join(dir, 'deployment.yaml'),
    });
    await ws.endpoints.setTraffic('churn-ep', { blue: 100, green: 0 });
    await ws.shadow.setShadow('churn-ep', { endpoint: 'churn-ep', deployment: 'green' }, 10);

    const withBody = fake.calls.filter((c) => !['GET', 'DELETE'].includes(c.method) && !c.path.startsWith('/fake/'));
    expect(withBody.filter((c) => c.status >= 400)).toEqual([]);
    expect(new Set(withBody.map((c) => `${c.specOperation} ${c.apiVersion}`))).toEqual(
      new Set([
        `CodeVersions_CreateOrGetStartPendingUpload 2023-04-01`,
        `CodeVersions_CreateOrUpdate 2023-04-01`,
        `Jobs_CreateOrUpdate ${STABLE_API_VERSION}`,
        `ModelVersions_CreateOrUpdate ${STABLE_API_VERSION}`,
        `OnlineEndpoints_CreateOrUpdate ${STABLE_API_VERSION}`,
        `OnlineDeployments_CreateOrUpdate ${STABLE_API_VERSION}`,
        `OnlineEndpoints_CreateOrUpdate ${MIRROR_API_VERSION}`,
      ]),
    );
  });

  test('a missing required property is answered 400 naming its pointer (Route.port of an inference route; the discriminated uri_file input)', async () => {
    const job = bodyOf(fake.callsTo('PUT', '/jobs/train-1')[0]);
    delete job.properties.inputs.data.uri;
    const answer = await send('PUT', '/jobs/no-uri', STABLE_API_VERSION, job);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error).toEqual({
      code: 'UserError',
      message: expect.stringMatching(/Jobs_CreateOrUpdate.*: \/properties\/inputs\/data\/uri: is required$/),
    });

    const environment = await send('PUT', '/environments/custom/versions/1', STABLE_API_VERSION, {
      properties: { image: 'example.azurecr.io/serving:1', inferenceConfig: { scoringRoute: { path: '/score' } } },
    });
    expect(environment.status).toBe(400);
    expect(JSON.parse(environment.text).error.message).toMatch(/\/properties\/inferenceConfig\/scoringRoute\/port: is required/);
  });

  test('a value outside a closed enum is refused; an extensible enum (x-ms-enum modelAsString) is an open string', async () => {
    const deployment = bodyOf(fake.callsTo('PUT', '/onlineEndpoints/churn-ep/deployments/blue')[0]);
    deployment.sku = { ...deployment.sku, tier: 'Gold' };
    const answer = await send('PUT', '/onlineEndpoints/churn-ep/deployments/gold', STABLE_API_VERSION, deployment);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error.message).toMatch(/\/sku\/tier: must be one of "Free", "Basic", "Standard", "Premium"$/);

    // EndpointAuthMode is modelAsString: the spec admits a value it does not list (the fake's zod schema still judges it).
    const endpoint = { location: 'westeurope', properties: { authMode: 'SomeFutureMode', traffic: {} } };
    expect(checkAgainstRestSpec(STABLE_API_VERSION, 'PUT', `${ws.workspacePath}/onlineEndpoints/x`, endpoint)).toEqual({
      operationId: 'OnlineEndpoints_CreateOrUpdate',
      problems: [],
    });
  });

  test('a value of the wrong type, or off a format, is refused', async () => {
    const job = bodyOf(fake.callsTo('PUT', '/jobs/train-1')[0]);
    job.properties.displayName = 42;
    const typed = await send('PUT', '/jobs/typed', STABLE_API_VERSION, job);
    expect(typed.status).toBe(400);
    expect(JSON.parse(typed.text).error.message).toMatch(/\/properties\/displayName: must be string$/);

    const deployment = bodyOf(fake.callsTo('PUT', '/onlineEndpoints/churn-ep/deployments/blue')[0]);
    deployment.properties.requestSettings.requestTimeout = '3s';
    const formatted = await send('PUT', '/onlineEndpoints/churn-ep/deployments/late', STABLE_API_VERSION, deployment);
    expect(formatted.status).toBe(400);
    expect(JSON.parse(formatted.text).error.message).toMatch(
      /\/properties\/requestSettings\/requestTimeout: must match format "duration"$/,
    );
  });

  test('a read-only property in a request is refused (oav: READONLY_PROPERTY_NOT_ALLOWED_IN_REQUEST)', async () => {
    const endpoint = bodyOf(fake.callsTo('PUT', '/onlineEndpoints/churn-ep').find((c) => c.apiVersion === MIRROR_API_VERSION));
    endpoint.properties.provisioningState = 'Succeeded';
    const answer = await send('PUT', '/onlineEndpoints/churn-ep', MIRROR_API_VERSION, endpoint);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error.message).toMatch(/\/properties\/provisioningState: is read-only/);
  });

  test('a property the api-version does not have is refused where the spec says additionalProperties: false (mirrorTraffic before 2024-04-01)', async () => {
    const endpoint = bodyOf(fake.callsTo('PUT', '/onlineEndpoints/churn-ep').find((c) => c.apiVersion === MIRROR_API_VERSION));
    const answer = await send('PUT', '/onlineEndpoints/churn-ep', STABLE_API_VERSION, endpoint);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error.message).toMatch(
      /api-version 2022-10-01\): \/properties\/mirrorTraffic: is not a property of this type/,
    );
  });

  test('operations the vendored spec leaves out (no body, or another API) are not judged by it', () => {
    expect(checkAgainstRestSpec('2021-10-01-dataplanepreview', 'POST', '/mferp/managementfrontend/x/import', {})).toBeUndefined();
    expect(checkAgainstRestSpec(STABLE_API_VERSION, 'POST', `${ws.workspacePath}/jobs/j/cancel`, undefined)).toBeUndefined();
  });
});
