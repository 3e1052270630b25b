import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScoreRequest } from '../../../shared/ports';
import { LocalEndpointHost, localMlWorkspace, type LocalMlWorkspace, ScoringError } from '../../../adapters/local/workspace';
import { waitFor } from '../../support/waitFor';

const fixtures = join(__dirname, '../../fixtures/workspace');
const spec = join(fixtures, 'scoring/deployment.yaml');
const request: ScoreRequest = { input_data: { columns: ['x'], data: [[1], [2]] } };

describe('localMlWorkspace(...).batch.scoreBatch', () => {
  let root: string;
  let host: LocalEndpointHost;
  let workspace: LocalMlWorkspace;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'batch-'));
    host = new LocalEndpointHost({ port: 0 });
    await host.start();
    workspace = localMlWorkspace({
      environment: 'dev',
      rootDir: join(root, 'ws'),
      endpointHost: host,
      fetchInput: async () => Buffer.alloc(0),
    });
    await workspace.start();
    mkdirSync(join(root, 'model'));
    writeFileSync(join(root, 'model', 'model.json'), JSON.stringify({ tag: 'batch', label: 1 }));
    await workspace.models.registerModel({ name: 'batch', source: { path: join(root, 'model') }, idempotencyKey: 'k' });
  });

  afterAll(async () => {
    await workspace.stop();
    await host.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('scores every batch of an evaluation with one scoring server and stops it at finishedScoring', async () => {
    const model = { name: 'batch', version: 1 };
    const first = await workspace.batch.scoreBatch(model, spec, request);
    expect(first).toMatchObject({
      predictions: [1, 1],
      probabilities: [
        [0.25, 0.75],
        [0.25, 0.75],
      ],
      model: 'batch',
    });
    const pid = (first as unknown as { pid: number }).pid;
    const second = await workspace.batch.scoreBatch(model, spec, request);
    expect((second as unknown as { pid: number }).pid).toBe(pid);
    expect(() => process.kill(pid, 0)).not.toThrow();
    await workspace.batch.finishedScoring(model);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('stops a batch when its signal aborts: the request is cut and nothing new is started', async () => {
    const model = { name: 'batch', version: 1 };
    const controller = new AbortController();
    const slow = workspace.batch.scoreBatch(model, spec, { action: 'slow' } as unknown as ScoreRequest, { signal: controller.signal });
    const pending = expect(slow).rejects.toThrow(/abort/i);
    // Abort once the server is up and the request is on its way (the server answers after 3 s).
    await waitFor(
      'the batch to score both rows',
      async () => (await workspace.batch.scoreBatch(model, spec, request)).predictions.length === 2,
      {
        intervalMs: 0,
      },
    );
    controller.abort();
    await pending;
    await expect(workspace.batch.scoreBatch(model, spec, request, { signal: controller.signal })).rejects.toThrow(/abort/i);
    await workspace.batch.finishedScoring(model);
  });

  it('scores rows with the output folder of a completed job', async () => {
    await workspace.jobs.submitJob({ name: 'batch-train', specPath: join(fixtures, 'job/train.yaml'), inputs: {} });
    expect((await workspace.jobs.waitForJob('batch-train')).status).toBe('completed');
    const response = await workspace.batch.scoreBatch({ job: 'batch-train', output: 'model' }, spec, request);
    expect(response.predictions).toHaveLength(2);
  });

  it('names the model, the script and the answer when scoring fails', async () => {
    const failure = workspace.batch.scoreBatch({ name: 'batch', version: 1 }, spec, {
      action: 'no-predictions',
    } as unknown as ScoreRequest);
    await expect(failure).rejects.toThrow(ScoringError);
    await expect(failure).rejects.toThrow(/model batch:1 through .*score\.ts failed: the answer has no 'predictions'/);
    await expect(
      workspace.batch.scoreBatch({ name: 'batch', version: 1 }, spec, { action: 'throw' } as unknown as ScoreRequest),
    ).rejects.toThrow(/status 500: .*cannot score this/);
    await expect(
      workspace.batch.scoreBatch({ name: 'batch', version: 1 }, join(fixtures, 'scoring/deployment-bad-init.yaml'), request),
    ).rejects.toThrow(/bad_init\.js failed: .*exited[\s\S]*model file is corrupt/);
    await expect(workspace.batch.scoreBatch({ name: 'batch', version: 9 }, spec, request)).rejects.toThrow(/model 'batch:9' not found/);
  });
});
