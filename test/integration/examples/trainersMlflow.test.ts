import { execFile, execFileSync } from 'node:child_process';
import { Agent, request } from 'node:https';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpHeaders, type PipelineResponse } from '@azure/core-rest-pipeline';
import { MlflowMetrics } from '../../../adapters/azure/workspace/mlflowMetrics';
import { staticTokenCredential } from '../../../adapters/azure/workspace/staticTokenCredential';
import { bundle } from '../../../scripts/bundleExample';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';
import { FakeMlflow } from '../../fakes/mlflow/FakeMlflow';

/**
 * The example trainers run as an Azure ML job runs them: the bundled train.js alone in its code
 * folder on Node, train.py on Python, with the MLflow variables Azure ML sets in a job's container
 * (MLFLOW_TRACKING_URI in azureml:// form, MLFLOW_RUN_ID = the job name, MLFLOW_EXPERIMENT_ID,
 * MLFLOW_TRACKING_TOKEN) pointing at the MLflow fake. The autopilot's MlflowMetrics must then read
 * the values the trainer computed. Python has no mlflow package on Debian: train.py logs through
 * test/fixtures/fake-mlflow, a stand-in for mlflow + azureml-mlflow that sends runs/log-metric.
 */
const ROOT = join(__dirname, '../../..');
const PYTHON = process.env['AUTOPILOT_PYTHON'] || '/usr/bin/python3';
const WORKSPACE = 'ws-trainers';
const WORKSPACE_PATH = `/subscriptions/00000000-0000-0000-0000-000000000007/resourceGroups/rg-mlops/providers/Microsoft.MachineLearningServices/workspaces/${WORKSPACE}`;

let mlflow: FakeMlflow;
let dir: string;
let code: string;
let caFile: string;
let reader: MlflowMetrics;
let cert: string;
const warnings: string[] = [];

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout: 90_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

/** What an Azure ML job's container has for MLflow, for the job `job`. */
function azureJobEnv(job: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    MLFLOW_TRACKING_URI: mlflow.trackingUri(WORKSPACE_PATH),
    MLFLOW_RUN_ID: job,
    MLFLOW_EXPERIMENT_ID: '1c6e0a8e-0000-0000-0000-000000000001',
    MLFLOW_TRACKING_TOKEN: `token-of-${job}`,
    AZUREML_RUN_ID: job,
    // Trust the fake's certificate: Node and (through mlflow's own variable) Python.
    NODE_EXTRA_CA_CERTS: caFile,
    MLFLOW_TRACKING_SERVER_CERT_PATH: caFile,
    ...extra,
  };
}

/** Runs the bundled train.js in its code folder, which has no node_modules. */
function trainJs(job: string, env: NodeJS.ProcessEnv): Promise<Outcome> {
  return run(
    process.execPath,
    ['train.js', '--data', 'sample.csv', '--label', 'label', '--seed', '42', '--model-dir', join(dir, job)],
    code,
    env,
  );
}

function trainPy(job: string, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const script = join(ROOT, 'examples/sklearn/train.py');
  return run(
    PYTHON,
    [script, '--data', join(ROOT, 'examples/sklearn/sample.csv'), '--label_column', 'label', '--model_output', join(dir, job)],
    dir,
    env,
  );
}

const fileMetrics = (path: string): Record<string, number> =>
  Object.fromEntries(
    readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; value: number })
      .map((m) => [m.name, m.value]),
  );

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trainers-mlflow-'));
  code = join(dir, 'code');
  bundle(join(ROOT, 'examples/tabular/train.ts'), join(code, 'train.js'));
  copyFileSync(join(ROOT, 'examples/tabular/sample.csv'), join(code, 'sample.csv'));
  expect(existsSync(join(code, 'node_modules'))).toBe(false);
  const tls = selfSignedCert();
  cert = tls.cert;
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, tls.cert);
  return FakeMlflow.start(tls).then((fake) => {
    mlflow = fake;
    // The reader as the Azure backend builds it, with the workspace GET answered here.
    const workspace = JSON.stringify({ properties: { mlFlowTrackingUri: mlflow.trackingUri(WORKSPACE_PATH) } });
    reader = new MlflowMetrics({
      credential: staticTokenCredential('autopilot-token'),
      workspacePath: WORKSPACE_PATH,
      apiVersion: '2024-10-01',
      send: async () => ({ status: 200, bodyAsText: workspace, headers: createHttpHeaders() }) as unknown as PipelineResponse,
      agent: new Agent({ ca: tls.cert }),
      logger: { warn: (message) => warnings.push(message) },
    });
  });
});

afterAll(async () => {
  await mlflow?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('train.js (bundled) in an Azure ML job', () => {
  test('logs its metrics into the job run with one runs/log-batch and the job token; MlflowMetrics reads the values it computed', async () => {
    mlflow.createRun(WORKSPACE, 'tabular-train-1');
    const outcome = await trainJs('tabular-train-1', azureJobEnv('tabular-train-1'));
    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    expect(outcome.stdout).toContain('logged 11 metrics to MLflow run tabular-train-1');

    const posts = mlflow.calls.filter((c) => c.method === 'POST');
    expect(posts).toEqual([
      expect.objectContaining({
        path: `/mlflow/v1.0${WORKSPACE_PATH}/api/2.0/mlflow/runs/log-batch`,
        runId: 'tabular-train-1',
        authorization: 'Bearer token-of-tabular-train-1',
        status: 200,
      }),
    ]);

    const model = JSON.parse(readFileSync(join(dir, 'tabular-train-1', 'model.json'), 'utf8')) as {
      training: { trainingRows: number; iterations: number; metrics: Record<'train' | 'validation', Record<string, number>> };
    };
    const computed: Record<string, number> = { training_rows: model.training.trainingRows, iterations: model.training.iterations };
    for (const split of ['train', 'validation'] as const) {
      for (const [name, value] of Object.entries(model.training.metrics[split])) computed[`${split}_${name}`] = value;
    }
    const read = await reader.forRun('tabular-train-1');
    expect(read).toEqual({ ...computed, fit_seconds: expect.any(Number) });
    expect(Object.keys(computed)).toEqual(expect.arrayContaining(['train_auc', 'validation_auc', 'validation_log_loss']));
    expect(mlflow.metricsOf(WORKSPACE, 'tabular-train-1')!.every((m) => m.step === 0 && Math.abs(m.timestamp - Date.now()) < 120_000)).toBe(
      true,
    );
    expect(warnings).toEqual([]);
  });

  test('a run MLflow does not know fails the job (exit 3) after writing the model, unless the metrics file took the metrics', async () => {
    const lost = await trainJs('tabular-no-run', azureJobEnv('tabular-no-run'));
    expect(lost.code).toBe(3);
    expect(lost.stderr).toMatch(
      /error: the model was written but its metrics reached no sink: metrics not logged to MLflow: MLflow refused \/api\/2\.0\/mlflow\/runs\/log-batch .*HTTP 404 RESOURCE_DOES_NOT_EXIST: Run 'tabular-no-run' not found/,
    );
    expect(existsSync(join(dir, 'tabular-no-run', 'model.json'))).toBe(true);

    const metricsFile = join(dir, 'tabular-no-run.jsonl');
    const kept = await trainJs('tabular-no-run-2', azureJobEnv('tabular-no-run-2', { AUTOPILOT_METRICS_FILE: metricsFile }));
    expect(kept.code).toBe(0);
    expect(kept.stderr).toMatch(/^warning: metrics not logged to MLflow: .*RESOURCE_DOES_NOT_EXIST/);
    expect(fileMetrics(metricsFile)).toMatchObject({ train_auc: expect.any(Number), iterations: expect.any(Number) });
  });

  test('an Azure ML tracking URI without a token is reported, not sent unauthenticated', async () => {
    const env = azureJobEnv('tabular-no-token');
    delete env['MLFLOW_TRACKING_TOKEN'];
    const outcome = await trainJs('tabular-no-token', env);
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toContain('MLFLOW_TRACKING_URI is an Azure ML workspace but MLFLOW_TRACKING_TOKEN is not set');
    expect(mlflow.calls.filter((c) => c.runId === 'tabular-no-token')).toEqual([]);
  });
});

describe('train.py in an Azure ML job', () => {
  beforeAll(() => {
    try {
      execFileSync(PYTHON, ['-c', 'import sklearn, pandas, joblib']);
    } catch {
      throw new Error(
        `${PYTHON} cannot import sklearn, pandas and joblib: apt-get install python3-sklearn python3-pandas (.ci/run does), or set AUTOPILOT_PYTHON`,
      );
    }
  });

  test('logs each metric with mlflow.log_metric into the job run and to AUTOPILOT_METRICS_FILE; MlflowMetrics reads the same values', async () => {
    mlflow.createRun(WORKSPACE, 'sklearn-train-1');
    const metricsFile = join(dir, 'sklearn-train-1.jsonl');
    const outcome = await trainPy(
      'sklearn-train-1',
      azureJobEnv('sklearn-train-1', {
        PYTHONPATH: join(ROOT, 'test/fixtures/fake-mlflow'),
        AUTOPILOT_METRICS_FILE: metricsFile,
      }),
    );
    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    const posts = mlflow.calls.filter((c) => c.runId === 'sklearn-train-1' && c.method === 'POST');
    expect(posts).toHaveLength(3);
    expect(
      posts.every(
        (c) =>
          c.path.endsWith('/api/2.0/mlflow/runs/log-metric') && c.authorization === 'Bearer token-of-sklearn-train-1' && c.status === 200,
      ),
    ).toBe(true);

    const computed = fileMetrics(metricsFile);
    expect(Object.keys(computed).sort()).toEqual(['accuracy', 'auc', 'log_loss']);
    expect(await reader.forRun('sklearn-train-1')).toEqual(computed);
  });

  test('without an importable mlflow the job says so and fails (exit 3) after writing the model; with the metrics file it warns and succeeds', async () => {
    const lost = await trainPy('sklearn-no-mlflow', azureJobEnv('sklearn-no-mlflow'));
    expect(lost.code).toBe(3);
    expect(lost.stderr).toMatch(
      /error: the model was written but its metrics reached no sink: MLFLOW_TRACKING_URI is set but mlflow cannot be imported .*mlflow and azureml-mlflow/,
    );
    expect(existsSync(join(dir, 'sklearn-no-mlflow', 'model.pkl'))).toBe(true);

    const metricsFile = join(dir, 'sklearn-no-mlflow.jsonl');
    const kept = await trainPy('sklearn-no-mlflow-2', azureJobEnv('sklearn-no-mlflow-2', { AUTOPILOT_METRICS_FILE: metricsFile }));
    expect(kept.code).toBe(0);
    expect(kept.stderr).toMatch(/^warning: MLFLOW_TRACKING_URI is set but mlflow cannot be imported/);
    expect(Object.keys(fileMetrics(metricsFile)).sort()).toEqual(['accuracy', 'auc', 'log_loss']);
  });

  test('a refusal by the tracking server is reported with its error, not raised from the script', async () => {
    const outcome = await trainPy('sklearn-no-run', azureJobEnv('sklearn-no-run', { PYTHONPATH: join(ROOT, 'test/fixtures/fake-mlflow') }));
    expect(outcome.code).toBe(3);
    expect(outcome.stderr).toMatch(/metrics not logged to MLflow: MlflowException: .*RESOURCE_DOES_NOT_EXIST/);
    expect(outcome.stderr).not.toContain('Traceback');
  });
});

/** A POST to the fake as an MLflow client sends it. */
function post(path: string, body: unknown): Promise<{ status: number; body: { error_code?: string; message?: string } }> {
  const url = new URL(`https://${mlflow.host}/mlflow/v1.0${WORKSPACE_PATH}/api/2.0/mlflow/${path}`);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', ca: cert, headers: { 'content-type': 'application/json', authorization: 'Bearer t' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { error_code?: string; message?: string } }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('the MLflow fake', () => {
  test('refuses the log requests MLflow refuses, and logs nothing from them', async () => {
    mlflow.createRun(WORKSPACE, 'fake-checks');
    const metric = { key: 'auc', value: 0.9, timestamp: 1000, step: 0 };
    const refused = async (path: string, body: unknown, message: RegExp) => {
      const answer = await post(path, body);
      expect(answer).toEqual({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(message) } });
    };
    await refused('runs/log-batch', { metrics: [metric] }, /required parameter 'run_id'/);
    await refused(
      'runs/log-batch',
      { run_id: 'fake-checks', metrics: [{ key: 'auc', value: 0.9 }] },
      /required parameter 'metrics\[0\]\.timestamp'/,
    );
    await refused('runs/log-batch', { run_id: 'fake-checks', metrics: [{ value: 0.9, timestamp: 1 }] }, /'metrics\[0\]\.key'/);
    await refused(
      'runs/log-batch',
      { run_id: 'fake-checks', metrics: [{ ...metric, value: 'high' }] },
      /'metrics\[0\]\.value': must be a number/,
    );
    await refused(
      'runs/log-batch',
      { run_id: 'fake-checks', metrics: Array.from({ length: 1001 }, (_, i) => ({ ...metric, step: i })) },
      /at most 1000 metrics\. Got 1001/,
    );
    await refused(
      'runs/log-batch',
      { run_id: 'fake-checks', params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: '1' })) },
      /at most 100 params/,
    );
    await refused('runs/log-metric', { run_id: 'fake-checks', key: 'auc', value: 0.9 }, /required parameter 'timestamp'/);
    expect(mlflow.metricsOf(WORKSPACE, 'fake-checks')).toEqual([]);

    expect(
      await post('runs/log-batch', { run_id: 'fake-checks', metrics: Array.from({ length: 1000 }, (_, i) => ({ ...metric, step: i })) }),
    ).toEqual({ status: 200, body: {} });
    expect(await post('runs/log-metric', { run_id: 'fake-checks', key: 'rows', value: 12, timestamp: '2000' })).toEqual({
      status: 200,
      body: {},
    });
    expect(await post('runs/log-metric', { run_id: 'no-such-run', ...metric })).toMatchObject({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST' },
    });
    expect(await reader.forRun('fake-checks')).toEqual({ auc: 0.9, rows: 12 });
  });
});
