import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { azureMlWorkspace, type AzureMlWorkspace } from '../../../adapters/azure/workspace/AzureMlWorkspace';
import { UnsafeCodeFolderError, type CodeUploadProgress } from '../../../adapters/azure/workspace/codeAssets';
import { staticTokenCredential } from '../../../adapters/azure/workspace/staticTokenCredential';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { freePort } from '../../../devhost/freePort';
import { ArmMlFake } from '../../fakes/armMl/ArmMlFake';
import { codeRoutes, CODE_API_VERSION, type CodeRoutes } from '../../fakes/armMl/codeRoutes';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';
import { FakeMlflow } from '../../fakes/mlflow/FakeMlflow';

const JOB_SPEC = `
code: .
command: python train.py --data \${{inputs.data}} --out \${{outputs.model}}
inputs: { data: { type: uri_file } }
outputs: { model: { type: custom_model } }
environment: azureml:train-env@latest
compute: azureml:cpu-cluster
`;
const DATA = { data: { type: 'uri_file' as const, path: 'https://acct.blob.core.windows.net/training-data/d.csv' } };

let fake: ArmMlFake;
let mlflow: FakeMlflow;
let azurite: RunningAzurite;
let codes: CodeRoutes;
let cert: string;
let dir: string;
const warnings: string[] = [];
const progress: CodeUploadProgress[] = [];

function workspace(name: string): AzureMlWorkspace {
  const ws = azureMlWorkspace({
    environment: 'dev',
    subscriptionId: '00000000-0000-0000-0000-000000000007',
    resourceGroup: 'rg-mlops',
    workspace: name,
    location: 'westeurope',
    credential: staticTokenCredential('fake-token'),
    endpoint: fake.url,
    trustedCa: cert,
    pollIntervalMs: 10,
    onCodeUploadProgress: (_folder, p) => progress.push(p),
    logger: { warn: (message) => warnings.push(message) },
  });
  // The datastore infra/main.json registers, over the account the tests' data URLs name.
  fake.dataAccess.seedDatastore(ws.workspacePath, 'autopilot_artifacts', { accountName: 'acct', containerName: 'training-data' });
  return ws;
}

/** A folder with files at the given relative paths (content = path, unless given). */
function folder(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

async function blobsUnder(prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const blob of codes.container.listBlobsFlat({ prefix })) {
    out[blob.name.slice(prefix.length)] = (await codes.container.getBlobClient(blob.name).downloadToBuffer()).toString();
  }
  return out;
}

beforeAll(async () => {
  const tls = selfSignedCert();
  cert = tls.cert;
  [fake, mlflow, azurite] = await Promise.all([ArmMlFake.start(tls), FakeMlflow.start(tls), startAzurite()]);
  fake.dataAccess.grantBlobRead('acct', 'submitter');
  fake.seedEnvironment('train-env', '1');
  fake.seedEnvironment('score-env', '3');
  codes = await codeRoutes(azurite.ports.blob);
  fake.addRoute(codes.route);
  dir = mkdtempSync(join(tmpdir(), 'azml-code-'));
});

afterAll(async () => {
  await Promise.all([fake?.stop(), mlflow?.stop(), azurite?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('AzureMlWorkspace code assets', () => {
  test('submitJob uploads the code folder once as a code asset, the job carries its codeId, and a job with the same code uploads nothing', async () => {
    const ws = workspace('ws-code');
    const train = folder('train', {
      'job.yaml': JOB_SPEC,
      'train.py': 'print("training")\n',
      'lib/util.py': 'X = 1\n',
      '__pycache__/train.cpython-311.pyc': 'bytecode',
      'node_modules/left-pad/index.js': 'x',
      '.git/HEAD': 'ref: main',
    });
    const first = await ws.jobs.submitJob({ name: 'train-1', specPath: join(train, 'job.yaml'), inputs: DATA });
    expect(first.codeHash).toMatch(/^[0-9a-f]{64}$/);

    const started = fake.callsTo('POST', '/codes/autopilot-train/versions/' + first.codeHash!.slice(0, 16) + '/startPendingUpload');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ apiVersion: CODE_API_VERSION, body: { pendingUploadType: 'TemporaryBlobReference' } });
    const [version] = [...codes.versions.values()];
    const prefix = `${version!.properties.codeUri.split('/').pop()}/`;
    expect(await blobsUnder(prefix)).toEqual({ 'job.yaml': JOB_SPEC, 'lib/util.py': 'X = 1\n', 'train.py': 'print("training")\n' });
    expect(version!.properties).toMatchObject({ isAnonymous: false, tags: { 'autopilot.codeHash': first.codeHash } });
    expect(progress.at(-1)).toMatchObject({ uploadedFiles: 3, totalFiles: 3 });

    const codeId = `${ws.workspacePath}/codes/autopilot-train/versions/${first.codeHash!.slice(0, 16)}`;
    expect(fake.callsTo('PUT', '/jobs/train-1')[0]!.body).toMatchObject({
      properties: { codeId, command: expect.stringContaining('train.py') },
    });

    const second = await ws.jobs.submitJob({ name: 'train-2', specPath: join(train, 'job.yaml'), inputs: DATA });
    expect(second.codeHash).toBe(first.codeHash);
    expect(fake.callsTo('PUT', '/jobs/train-2')[0]!.body).toMatchObject({ properties: { codeId } });
    expect(fake.calls.filter((c) => c.path.endsWith('/startPendingUpload'))).toHaveLength(1);
    expect(codes.versions.size).toBe(1);

    writeFileSync(join(train, 'train.py'), 'print("training v2")\n');
    const edited = await ws.jobs.submitJob({ name: 'train-3', specPath: join(train, 'job.yaml'), inputs: DATA });
    expect(edited.codeHash).not.toBe(first.codeHash);
    expect(fake.calls.filter((c) => c.path.endsWith('/startPendingUpload'))).toHaveLength(2);
  });

  test('deploy uploads the scoring code and carries codeConfiguration.codeId with the scoring script', async () => {
    const ws = workspace('ws-code');
    folder('scoring', { 'score.py': 'def run(x): return x\n' });
    const spec = folder('deploy', {
      'deployment.yaml': 'code_configuration: { code: ../scoring, scoring_script: score.py }\nenvironment: azureml:score-env:3\n',
    });
    await ws.endpoints.deploy({
      endpoint: 'code-ep',
      deployment: 'blue',
      model: { name: 'churn', version: 1 },
      specPath: join(spec, 'deployment.yaml'),
    });
    const put = fake.callsTo('PUT', '/onlineEndpoints/code-ep/deployments/blue');
    expect(put).toHaveLength(1);
    expect(put[0]!.body).toMatchObject({
      properties: {
        codeConfiguration: {
          codeId: expect.stringMatching(new RegExp(`^${ws.workspacePath}/codes/autopilot-scoring/versions/[0-9a-f]{16}$`)),
          scoringScript: 'score.py',
        },
      },
    });
    const uploaded = [...codes.versions.values()].find((v) => v.id.includes('/codes/autopilot-scoring/'))!;
    expect(await blobsUnder(`${uploaded.properties.codeUri.split('/').pop()}/`)).toEqual({ 'score.py': 'def run(x): return x\n' });
  });

  test('refuses a code folder holding a symlink that leaves it, or a file name with a ".." segment, before uploading anything', async () => {
    const ws = workspace('ws-unsafe');
    writeFileSync(join(dir, 'secret.txt'), 'do not upload');
    const escaping = folder('escaping', { 'job.yaml': JOB_SPEC, 'train.py': 'x' });
    symlinkSync(join(dir, 'secret.txt'), join(escaping, 'secret.txt'));
    const escape = ws.jobs.submitJob({ name: 'train-escape', specPath: join(escaping, 'job.yaml'), inputs: DATA });
    await expect(escape).rejects.toThrow(UnsafeCodeFolderError);
    await expect(escape).rejects.toThrow(/'secret\.txt' is a symlink to .*secret\.txt, outside the code folder; copy the file in instead/);

    const dotted = folder('dotted', { 'job.yaml': JOB_SPEC, '..\\evil.py': 'x' });
    await expect(ws.jobs.submitJob({ name: 'train-dots', specPath: join(dotted, 'job.yaml'), inputs: DATA })).rejects.toThrow(
      /'\.\.\\evil\.py' holds a '\.\.' or '\.' path segment/,
    );
    expect(fake.calls.filter((c) => c.path.includes('/workspaces/ws-unsafe/') && c.method !== 'GET')).toEqual([]);
  });

  test('an upload that storage refuses fails naming the file, registers no version and never shows the SAS', async () => {
    const ws = workspace('ws-refused');
    const train = folder('refused', { 'job.yaml': JOB_SPEC, 'train.py': 'x' });
    codes.sasPermissions = 'r';
    try {
      const attempt = ws.jobs.submitJob({ name: 'train-refused', specPath: join(train, 'job.yaml'), inputs: DATA });
      await expect(attempt).rejects.toThrow(
        /uploading '(job\.yaml|train\.py)' of code asset 'autopilot-refused:[0-9a-f]{16}' failed \(HTTP 403\)/,
      );
      const message = await attempt.catch((error: Error) => `${error.message} ${String(error.cause ?? '')}`);
      expect(message).not.toMatch(/sig=(?!REDACTED)/);
    } finally {
      codes.sasPermissions = 'racwl';
    }
    expect(fake.callsTo('PUT', '/jobs/train-refused')).toEqual([]);
    expect([...codes.versions.keys()].some((k) => k.includes('/codes/autopilot-refused/'))).toBe(false);
  });
});

describe('AzureMlWorkspace job metrics from MLflow', () => {
  test('getJob of a completed job reports the latest MLflow value of each metric, and none while it runs', async () => {
    const ws = workspace('ws-metrics');
    fake.setWorkspace(ws.workspacePath, { mlFlowTrackingUri: mlflow.trackingUri(ws.workspacePath) });
    const train = folder('metrics', { 'job.yaml': JOB_SPEC, 'train.py': 'x' });
    await ws.jobs.submitJob({ name: 'train-m', specPath: join(train, 'job.yaml'), inputs: DATA });
    mlflow.logMetrics('ws-metrics', 'train-m', [
      { key: 'auc', value: 0.81, timestamp: 1000, step: 0 },
      { key: 'auc', value: 0.88, timestamp: 3000, step: 2 },
      { key: 'auc', value: 0.85, timestamp: 2000, step: 1 },
      { key: 'rows', value: 1200, timestamp: 1000, step: 0 },
    ]);

    fake.setJobStatus(ws.workspacePath, 'train-m', 'Running');
    expect((await ws.jobs.getJob('train-m'))?.metrics).toEqual({});
    expect(mlflow.calls).toHaveLength(0);

    fake.setJobStatus(ws.workspacePath, 'train-m', 'Completed');
    expect(await ws.jobs.getJob('train-m')).toMatchObject({ status: 'completed', metrics: { auc: 0.88, rows: 1200 } });
    expect(mlflow.calls.at(-1)).toMatchObject({ runId: 'train-m', authorization: 'Bearer fake-token', status: 200 });

    await ws.jobs.submitJob({ name: 'train-quiet', specPath: join(train, 'job.yaml'), inputs: DATA });
    fake.setJobStatus(ws.workspacePath, 'train-quiet', 'Completed');
    expect((await ws.jobs.getJob('train-quiet'))?.metrics).toEqual({});
    expect(mlflow.calls.at(-1)).toMatchObject({ runId: 'train-quiet', status: 404 });
    expect(fake.callsTo('GET', '/workspaces/ws-metrics')).toHaveLength(1); // the tracking URI is read once
    expect(warnings).toEqual([]);
  });

  test('getJob still answers, with no metrics and one warning, when the MLflow server is down', async () => {
    const ws = workspace('ws-mlflow-down');
    fake.setWorkspace(ws.workspacePath, { mlFlowTrackingUri: `azureml://127.0.0.1:${await freePort()}/mlflow/v1.0${ws.workspacePath}` });
    const train = folder('down', { 'job.yaml': JOB_SPEC, 'train.py': 'x' });
    await ws.jobs.submitJob({ name: 'train-d', specPath: join(train, 'job.yaml'), inputs: DATA });
    fake.setJobStatus(ws.workspacePath, 'train-d', 'Completed');
    expect(await ws.jobs.getJob('train-d')).toMatchObject({ status: 'completed', metrics: {} });
    expect(await ws.jobs.getJob('train-d')).toMatchObject({ status: 'completed', metrics: {} });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/job metrics from MLflow are unavailable for .*ws-mlflow-down/);
  });
});
