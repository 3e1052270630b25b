import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEndpointHost, localMlWorkspace, type LocalMlWorkspace, LocalModelRegistry } from '../../../adapters/local/workspace';

const trainSpec = join(__dirname, '../../fixtures/workspace/job/train.yaml');

describe('localMlWorkspace model registry', () => {
  let root: string;
  let host: LocalEndpointHost;
  let dev: LocalMlWorkspace;
  let staging: LocalMlWorkspace;
  let modelFolder: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'registry-'));
    host = new LocalEndpointHost({ port: 0 });
    await host.start();
    const fetchInput = async () => Buffer.alloc(0);
    dev = localMlWorkspace({ environment: 'dev', rootDir: join(root, 'dev'), endpointHost: host, fetchInput });
    staging = localMlWorkspace({ environment: 'staging', rootDir: join(root, 'staging'), endpointHost: host, fetchInput });
    await Promise.all([dev.start(), staging.start()]);
    modelFolder = join(root, 'model-src');
    mkdirSync(join(modelFolder, 'sub'), { recursive: true });
    writeFileSync(join(modelFolder, 'model.json'), '{"tag":"v1","label":1}');
    writeFileSync(join(modelFolder, 'sub', 'weights.bin'), 'abc');
  });

  afterAll(async () => {
    await Promise.all([dev.stop(), staging.stop()]);
    await host.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('numbers versions from 1 and returns the same version for a repeated idempotency key', async () => {
    const first = await dev.models.registerModel({
      name: 'churn',
      source: { path: modelFolder },
      idempotencyKey: 'release-1',
      metrics: { auc: 0.9 },
      tags: { pipeline: 'default' },
    });
    const second = await dev.models.registerModel({ name: 'churn', source: { path: modelFolder }, idempotencyKey: 'release-2' });
    const again = await dev.models.registerModel({ name: 'churn', source: { path: modelFolder }, idempotencyKey: 'release-1' });
    expect([first.version, second.version, again.version]).toEqual([1, 2, 1]);
    expect(again).toEqual(first);
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(second.sha256).toBe(first.sha256);
    expect(first.metrics).toEqual({ auc: 0.9 });
    expect(readFileSync(join(first.path, 'sub', 'weights.bin'), 'utf8')).toBe('abc');
    expect((await dev.models.listModels('churn')).map((m) => m.version)).toEqual([1, 2]);
    expect(await dev.models.getModel({ name: 'churn', version: 2 })).toEqual(second);
    expect(await dev.models.getModel({ name: 'churn', version: 3 })).toBeUndefined();
  });

  it('gives concurrent registrations distinct versions', async () => {
    const versions = await Promise.all(
      ['a', 'b', 'c', 'd'].map((key) => dev.models.registerModel({ name: 'busy', source: { path: modelFolder }, idempotencyKey: key })),
    );
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2, 3, 4]);
  });

  it('gives distinct versions when two registries (as two processes would) share a folder', async () => {
    const dir = join(root, 'shared-models');
    const noJobs = { resolveJobOutput: async () => ({ path: '' }) };
    const [a, b] = [new LocalModelRegistry(dir, noJobs), new LocalModelRegistry(dir, noJobs)];
    const versions = await Promise.all([
      a.registerModel({ name: 'm', source: { path: modelFolder }, idempotencyKey: 'a1' }),
      b.registerModel({ name: 'm', source: { path: modelFolder }, idempotencyKey: 'b1' }),
      a.registerModel({ name: 'm', source: { path: modelFolder }, idempotencyKey: 'a2' }),
      b.registerModel({ name: 'm', source: { path: modelFolder }, idempotencyKey: 'b2' }),
    ]);
    expect(versions.map((v) => v.version).sort()).toEqual([1, 2, 3, 4]);
    expect((await a.listModels('m')).map((v) => v.idempotencyKey).sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
  });

  it('registers a job output with the job and its code hash as lineage', async () => {
    await dev.jobs.submitJob({ name: 'train-for-registry', specPath: trainSpec, inputs: {} });
    const job = await dev.jobs.waitForJob('train-for-registry');
    const model = await dev.models.registerModel({
      name: 'from-job',
      source: { job: 'train-for-registry', output: 'model' },
      idempotencyKey: 'job:train-for-registry',
      lineage: { dataUrl: 'https://acct/c/d.csv', dataETag: '0x1' },
    });
    expect(model.lineage).toEqual({
      dataUrl: 'https://acct/c/d.csv',
      dataETag: '0x1',
      jobName: 'train-for-registry',
      codeHash: job.codeHash,
    });
    expect(JSON.parse(readFileSync(join(model.path, 'model.json'), 'utf8')).rows).toBe(3);
    await expect(
      dev.models.registerModel({ name: 'from-job', source: { job: 'train-for-registry', output: 'nope' }, idempotencyKey: 'x' }),
    ).rejects.toThrow(/has no output 'nope' \(outputs: model\)/);
  });

  it('imports a version into another environment once, keeping where it came from', async () => {
    const source = (await dev.models.getModel({ name: 'churn', version: 2 }))!;
    const imported = await staging.models.importModel(source, 'dev');
    const again = await staging.models.importModel(source, 'dev');
    expect(imported.version).toBe(1);
    expect(again).toEqual(imported);
    expect(imported.copiedFrom).toEqual({ environment: 'dev', name: 'churn', version: 2 });
    expect(imported.idempotencyKey).toBe('import:dev:churn:2');
    expect(imported.sha256).toBe(source.sha256);
    expect(imported.path.startsWith(join(root, 'staging'))).toBe(true);
    expect(await staging.models.listModels()).toEqual([imported]);
  });

  it('refuses model names that are not Azure ML names', async () => {
    await expect(dev.models.registerModel({ name: '../evil', source: { path: modelFolder }, idempotencyKey: 'k' })).rejects.toThrow(
      /invalid model name/,
    );
    await expect(dev.models.getModel({ name: 'a/b', version: 1 })).rejects.toThrow(/invalid model name/);
  });
});
