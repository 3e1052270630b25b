import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEndpointHost, localMlWorkspace, type LocalMlWorkspace } from '../../../adapters/local/workspace';
import { ensureError } from '../../../shared/errors';

/**
 * An MLflow model folder (sklearn flavor, as mlflow.sklearn.log_model writes it) served by the
 * local Python host without a scoring script and without the mlflow package installed.
 */
const PYTHON = process.env['AUTOPILOT_PYTHON'] || '/usr/bin/python3';
const HOST = join(__dirname, '../../../adapters/local/inference/python/scoring_host.py');

// What MLflow 2.x writes for mlflow.sklearn.log_model (abridged only of the signature).
const MLMODEL = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.2
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.2.1
mlflow_version: 2.9.2
model_uuid: 0b6a7e9c2f4e4a0f9d3a1c2b3d4e5f60
utc_time_created: '2026-12-01 10:00:00.000000'
`;

function startHost(modelDir: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(PYTHON, ['-u', HOST], {
    env: { ...process.env, AUTOPILOT_MLFLOW_MODEL: modelDir, AZUREML_MODEL_DIR: modelDir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    const check = () => {
      const port = /LISTENING (\d+)/.exec(text)?.[1];
      if (port && /serving/.test(text)) resolve({ child, url: `http://127.0.0.1:${port}`, output: () => text });
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`the host exited (${code}):\n${text}`)));
  });
}

async function score(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/score`, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('an MLflow sklearn-flavor model served without mlflow', () => {
  let root: string;
  let host: Awaited<ReturnType<typeof startHost>>;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mlflow-'));
    // As on Azure ML: the registered folder sits one level below AZUREML_MODEL_DIR.
    const folder = join(root, 'model');
    mkdirSync(folder);
    writeFileSync(join(folder, 'MLmodel'), MLMODEL);
    execFileSync(PYTHON, [
      '-c',
      `import pickle, pandas as pd
from sklearn.linear_model import LogisticRegression
x = pd.DataFrame({"a": [0, 1, 2, 3, 4, 5], "b": [1, 1, 0, 0, 1, 0]})
model = LogisticRegression(random_state=0).fit(x, [0, 0, 0, 1, 1, 1])
pickle.dump(model, open(${JSON.stringify(join(folder, 'model.pkl'))}, "wb"))`,
    ]);
    try {
      execFileSync(PYTHON, ['-c', 'import mlflow'], { stdio: 'ignore' });
      throw new Error(`${PYTHON} has mlflow installed; this test proves serving without it`);
    } catch (error) {
      if (ensureError(error).message.includes('has mlflow')) throw error;
    }
    host = await startHost(root);
  });

  afterAll(() => {
    host?.child.kill();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers input_data in split orientation with predictions, probabilities and classes', async () => {
    const answer = await score(host.url, {
      input_data: {
        columns: ['a', 'b'],
        data: [
          [0, 1],
          [5, 0],
        ],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body['predictions']).toEqual([0, 1]);
    expect(answer.body['classes']).toEqual([0, 1]);
    expect((answer.body['probabilities'] as number[][])[1]![1]).toBeGreaterThan(0.5);
  });

  it('takes the other MLflow request formats', async () => {
    for (const body of [
      { dataframe_split: { columns: ['a', 'b'], data: [[5, 0]] } },
      { dataframe_records: [{ a: 5, b: 0 }] },
      { inputs: { a: [5], b: [0] } },
      { instances: [{ a: 5, b: 0 }] },
    ]) {
      expect((await score(host.url, body)).body['predictions']).toEqual([1]);
    }
  });

  it('answers a request in no known format with a 400 naming the formats', async () => {
    const answer = await score(host.url, { rows: [[1, 2]] });
    expect(answer.status).toBe(400);
    expect(answer.body['error']).toMatch(/none of input_data, dataframe_split, dataframe_records, inputs, instances \(keys: rows\)/);
  });

  it('refuses another flavor without mlflow, naming it and how to serve it', async () => {
    const other = mkdtempSync(join(tmpdir(), 'mlflow-torch-'));
    writeFileSync(
      join(other, 'MLmodel'),
      'flavors:\n  python_function:\n    loader_module: mlflow.pytorch\n  pytorch:\n    model_data: data\n',
    );
    try {
      await expect(startHost(other)).rejects.toThrow(
        /flavors are python_function, pytorch; without the mlflow package only the sklearn flavor[\s\S]*pip install mlflow/,
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('an MLflow model deployed without code on the local workspace (no code_configuration)', () => {
  let root: string;
  let host: LocalEndpointHost;
  let workspace: LocalMlWorkspace;
  const previousPython = process.env['AUTOPILOT_PYTHON'];

  beforeAll(async () => {
    process.env['AUTOPILOT_PYTHON'] = PYTHON;
    root = mkdtempSync(join(tmpdir(), 'mlflow-ws-'));
    const folder = join(root, 'mlflow-model');
    mkdirSync(folder);
    writeFileSync(join(folder, 'MLmodel'), MLMODEL);
    execFileSync(PYTHON, [
      '-c',
      `import pickle
from sklearn.tree import DecisionTreeClassifier
pickle.dump(DecisionTreeClassifier(random_state=0).fit([[0], [1], [2], [3]], ["no", "no", "yes", "yes"]), open(${JSON.stringify(join(folder, 'model.pkl'))}, "wb"))`,
    ]);
    // Azure ML's no-code MLflow deployment: no code_configuration, no environment.
    writeFileSync(join(root, 'deployment.yaml'), 'instance_type: Standard_DS3_v2\ninstance_count: 1\n');
    host = new LocalEndpointHost({ port: 0 });
    await host.start();
    workspace = localMlWorkspace({
      environment: 'dev',
      rootDir: join(root, 'ws'),
      endpointHost: host,
      fetchInput: async () => Buffer.alloc(0),
    });
    await workspace.start();
    await workspace.models.registerModel({ name: 'tree', source: { path: folder, format: 'mlflow_model' }, idempotencyKey: 'k' });
    // The same files registered as a custom model: Azure ML would not serve it without a scoring script.
    await workspace.models.registerModel({ name: 'custom-tree', source: { path: folder }, idempotencyKey: 'k' });
  });

  afterAll(async () => {
    if (previousPython === undefined) delete process.env['AUTOPILOT_PYTHON'];
    else process.env['AUTOPILOT_PYTHON'] = previousPython;
    await workspace.stop();
    await host.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('scores it for the gate through the Python host, with class probabilities', async () => {
    const model = { name: 'tree', version: 1 };
    const answer = await workspace.batch.scoreBatch(model, join(root, 'deployment.yaml'), {
      input_data: { columns: ['0'], data: [[0], [3]] },
    });
    await workspace.batch.finishedScoring(model);
    expect(answer).toMatchObject({
      predictions: ['no', 'yes'],
      classes: ['no', 'yes'],
      probabilities: [
        [1, 0],
        [0, 1],
      ],
    });
  });

  it('deploys it to an endpoint and serves it through the router', async () => {
    await workspace.endpoints.deploy({
      endpoint: 'trees',
      deployment: 'blue',
      model: { name: 'tree', version: 1 },
      specPath: join(root, 'deployment.yaml'),
    });
    await workspace.endpoints.setTraffic('trees', { blue: 100 });
    const result = await workspace.scoring.invokeEndpoint('trees', { input_data: { columns: ['0'], data: [[3]] } });
    expect(result).toMatchObject({ status: 200, deployment: 'blue' });
    expect(result.body).toMatchObject({ predictions: ['yes'] });
  });

  it('refuses a custom model without a scoring script, as Azure ML does, naming code_configuration', async () => {
    const custom = { name: 'custom-tree', version: 1 };
    await expect(
      workspace.endpoints.deploy({ endpoint: 'trees', deployment: 'green', model: custom, specPath: join(root, 'deployment.yaml') }),
    ).rejects.toThrow(/has no code_configuration, which only an mlflow_model can do without; model custom-tree:1 is a custom_model/);
    await expect(
      workspace.batch.scoreBatch(custom, join(root, 'deployment.yaml'), { input_data: { columns: ['0'], data: [[0]] } }),
    ).rejects.toThrow(/only an mlflow_model can do without/);
  });

  it('refuses to register an mlflow_model whose folder has no MLmodel file', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'not-mlflow-'));
    try {
      await expect(
        workspace.models.registerModel({ name: 'bare', source: { path: bare, format: 'mlflow_model' }, idempotencyKey: 'b' }),
      ).rejects.toThrow(/an mlflow_model must be a folder with an MLmodel file; .* has none/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
