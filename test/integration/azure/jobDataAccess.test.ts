import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { azureMlWorkspace, type AzureMlWorkspace } from '../../../adapters/azure/workspace/AzureMlWorkspace';
import { staticTokenCredential } from '../../../adapters/azure/workspace/staticTokenCredential';
import { azureSettingsFrom } from '../../../adapters/settings';
import { datastoreUri } from '../../../adapters/azure/workspace/datastoreInputs';
import { BadRequestError, ConfigError } from '../../../shared/errors';
import { ArmMlFake, STABLE_API_VERSION } from '../../fakes/armMl/ArmMlFake';
import { rawArmRequest } from '../../fakes/armMl/rawArmRequest';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';
import { codeRoutes } from '../../fakes/armMl/codeRoutes';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';

/** The release's training input: a split the app wrote into its own storage account. */
const TRAIN_URL = 'https://appstore.blob.core.windows.net/autopilot-artifacts/releases/r1/train.csv';
const JOB_SPEC = `
type: command
code: .
command: python train.py --data \${{inputs.data}} --out \${{outputs.model}}
inputs:
  data: { type: uri_file }
outputs:
  model: { type: custom_model }
environment: azureml:train-env:1
`;

let fake: ArmMlFake;
let azurite: RunningAzurite;
let cert: string;
let dir: string;

function workspace(name: string, options: { datastore?: boolean; dataDatastore?: string } = {}): AzureMlWorkspace {
  const ws = azureMlWorkspace({
    environment: 'dev',
    subscriptionId: '00000000-0000-0000-0000-0000000000da',
    resourceGroup: 'rg',
    workspace: name,
    location: 'westeurope',
    credential: staticTokenCredential('fake-token'),
    endpoint: fake.url,
    trustedCa: cert,
    pollIntervalMs: 10,
    dataDatastore: options.dataDatastore,
  });
  if (options.datastore !== false)
    fake.dataAccess.seedDatastore(ws.workspacePath, options.dataDatastore ?? 'autopilot_artifacts', {
      accountName: 'appstore',
      containerName: 'autopilot-artifacts',
    });
  return ws;
}

const submit = (ws: AzureMlWorkspace, name: string, path = TRAIN_URL) =>
  ws.jobs.submitJob({ name, specPath: join(dir, 'job.yaml'), inputs: { data: { type: 'uri_file', path } } });

/** Runs a job the fake's way: one GET queues -> running, the next ends it. */
async function finish(ws: AzureMlWorkspace, name: string) {
  await ws.jobs.getJob(name);
  return ws.jobs.getJob(name);
}

beforeAll(async () => {
  const tls = selfSignedCert();
  cert = tls.cert;
  [fake, azurite] = await Promise.all([ArmMlFake.start(tls), startAzurite()]);
  fake.seedEnvironment('train-env', '1');
  fake.addRoute((await codeRoutes(azurite.ports.blob)).route);
  fake.progressJobs();
  dir = mkdtempSync(join(tmpdir(), 'job-data-'));
  writeFileSync(join(dir, 'job.yaml'), JOB_SPEC);
  writeFileSync(join(dir, 'train.py'), 'print("train")\n');
});

afterAll(async () => {
  await Promise.all([fake?.stop(), azurite?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a training job reads the app's data with an identity that may read it", () => {
  test('the request the adapter sent before (the https URL, the default AMLToken, serverless) is accepted and the job fails on its input', async () => {
    const ws = workspace('ws-old');
    fake.dataAccess.grantBlobRead('appstore', 'submitter');
    const oldBody = {
      properties: {
        jobType: 'Command',
        command: 'python train.py',
        environmentId: `${ws.workspacePath}/environments/train-env/versions/1`,
        inputs: { data: { jobInputType: 'uri_file', uri: TRAIN_URL } },
        outputs: { model: { jobOutputType: 'custom_model' } },
      },
    };
    expect(await armPut(`${ws.workspacePath}/jobs/old-request`, oldBody)).toBe(201);
    const job = await finish(ws, 'old-request');
    expect(job?.status).toBe('failed');
    expect(await ws.jobs.jobLog('old-request')).toMatch(
      /input 'data'.*AMLToken on serverless compute has no identity to read storage account appstore/,
    );
  });

  test('the adapter sends the input through the datastore as the submitting identity, and the job completes', async () => {
    const ws = workspace('ws-new');
    fake.dataAccess.grantBlobRead('appstore', 'submitter');
    await submit(ws, 'new-request');
    expect(fake.callsTo('PUT', '/jobs/new-request')[0]!.body).toMatchObject({
      properties: {
        inputs: { data: { jobInputType: 'uri_file', uri: 'azureml://datastores/autopilot_artifacts/paths/releases/r1/train.csv' } },
        identity: { identityType: 'UserIdentity' },
      },
    });
    expect((await finish(ws, 'new-request'))?.status).toBe('completed');
  });

  test('without a data role for the app on the account the job fails, and its log names the missing role', async () => {
    const ws = workspace('ws-norole');
    await submit(ws, 'no-role', 'https://otherstore.blob.core.windows.net/autopilot-artifacts/x.csv');
    expect((await finish(ws, 'no-role'))?.status).toBe('failed');
    expect(await ws.jobs.jobLog('no-role')).toMatch(/the submitting identity has no Storage Blob Data role on storage account otherstore/);
  });

  test('a workspace without the datastore: the submission stops before any job, naming the datastore and how to register it', async () => {
    const ws = workspace('ws-nodatastore', { datastore: false });
    const attempt = submit(ws, 'no-datastore');
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(
      /datastores\/autopilot_artifacts: is not registered.*az ml datastore create --workspace-name ws-nodatastore/,
    );
    expect(fake.callsTo('PUT', '/jobs/no-datastore')).toHaveLength(0);
  });

  test('a datastore named by AUTOPILOT_DATA_DATASTORE is used; a malformed name is a start-up error', async () => {
    const ws = workspace('ws-named', { dataDatastore: 'team_data' });
    fake.dataAccess.grantBlobRead('appstore', 'submitter');
    await submit(ws, 'named');
    expect(fake.callsTo('PUT', '/jobs/named')[0]!.body).toMatchObject({
      properties: { inputs: { data: { uri: 'azureml://datastores/team_data/paths/releases/r1/train.csv' } } },
    });
    expect(azureSettingsFrom({ AUTOPILOT_DATA_DATASTORE: 'team_data' }).dataDatastore).toBe('team_data');
    expect(() => azureSettingsFrom({ AUTOPILOT_DATA_DATASTORE: '../x' })).toThrow(/AUTOPILOT_DATA_DATASTORE: must be a datastore name/);
  });

  test("a SAS on a URL of the app's container is refused: the token would be stored in the job", async () => {
    const ws = workspace('ws-sas');
    const attempt = submit(ws, 'sas', `${TRAIN_URL}?sv=2024-01-01&sig=secret`);
    await expect(attempt).rejects.toThrow(BadRequestError);
    await expect(attempt).rejects.toThrow(/query string \(a SAS\?\)/);
    await expect(attempt).rejects.not.toThrow(/secret/);
    expect(fake.callsTo('PUT', '/jobs/sas')).toHaveLength(0);
  });
});

describe('datastoreUri', () => {
  const store = {
    name: 'autopilot_artifacts',
    accountName: 'devstoreaccount1',
    containerName: 'autopilot-artifacts',
    endpoint: 'core.windows.net',
  };
  test.each([
    [
      "the emulator's path style",
      'http://127.0.0.1:10000/devstoreaccount1/autopilot-artifacts/releases/r1/train.csv',
      'azureml://datastores/autopilot_artifacts/paths/releases/r1/train.csv',
    ],
    [
      "Azure's virtual-host style",
      'https://devstoreaccount1.blob.core.windows.net/autopilot-artifacts/a/b.csv',
      'azureml://datastores/autopilot_artifacts/paths/a/b.csv',
    ],
    ['another container', 'https://devstoreaccount1.blob.core.windows.net/other/a.csv', undefined],
    ['another account', 'https://someone.blob.core.windows.net/autopilot-artifacts/a.csv', undefined],
    ["another cloud's suffix", 'https://devstoreaccount1.blob.core.chinacloudapi.cn/autopilot-artifacts/a.csv', undefined],
    ['the container itself', 'https://devstoreaccount1.blob.core.windows.net/autopilot-artifacts/', undefined],
    ['an azureml URI', 'azureml://jobs/j1/outputs/model', undefined],
    [
      'a path-style URL on a host that is not the emulator',
      'https://files.example.com/devstoreaccount1/autopilot-artifacts/a.csv',
      undefined,
    ],
  ])('%s', (_what, uri, expected) => {
    expect(datastoreUri(uri, store, 'data')).toBe(expected);
  });
});

async function armPut(path: string, body: unknown): Promise<number> {
  return (await rawArmRequest(`${fake.url}${path}?api-version=${STABLE_API_VERSION}`, 'PUT', body, cert)).status;
}
