import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScoreRequest } from '../../../shared/ports';
import { LocalEndpointHost, LocalWorkspace, ScoringError } from '../../../adapters/local/workspace';

const fixtures = join(__dirname, '../../fixtures/workspace');
const spec = join(fixtures, 'scoring/deployment.yaml');
const request: ScoreRequest = { input_data: { columns: ['x'], data: [[1], [2]] } };

describe('LocalWorkspace.scoreBatch', () => {
  let root: string;
  let host: LocalEndpointHost;
  let workspace: LocalWorkspace;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'batch-'));
    host = new LocalEndpointHost({ port: 0 });
    await host.start();
    workspace = new LocalWorkspace({ environment: 'dev', rootDir: join(root, 'ws'), endpointHost: host, fetchInput: async () => Buffer.alloc(0) });
    await workspace.start();
    mkdirSync(join(root, 'model'));
    writeFileSync(join(root, 'model', 'model.json'), JSON.stringify({ tag: 'batch', label: 1 }));
    await workspace.registerModel({ name: 'batch', source: { path: join(root, 'model') }, idempotencyKey: 'k' });
  });

  afterAll(async () => {
    await workspace.stop();
    await host.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('scores rows with a registered model version and stops its server', async () => {
    const response = await workspace.scoreBatch({ name: 'batch', version: 1 }, spec, request);
    expect(response).toMatchObject({ predictions: [1, 1], probabilities: [[0.25, 0.75], [0.25, 0.75]], model: 'batch' });
    const pid = (response as unknown as { pid: number }).pid;
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('scores rows with the output folder of a completed job', async () => {
    await workspace.submitJob({ name: 'batch-train', specPath: join(fixtures, 'job/train.yaml'), inputs: {} });
    expect((await workspace.waitForJob('batch-train')).status).toBe('completed');
    const response = await workspace.scoreBatch({ job: 'batch-train', output: 'model' }, spec, request);
    expect(response.predictions).toHaveLength(2);
  });

  it('names the model, the script and the answer when scoring fails', async () => {
    const failure = workspace.scoreBatch({ name: 'batch', version: 1 }, spec, { action: 'no-predictions' } as unknown as ScoreRequest);
    await expect(failure).rejects.toThrow(ScoringError);
    await expect(failure).rejects.toThrow(/model batch:1 through .*score\.ts failed: the answer needs a 'predictions' array/);
    await expect(workspace.scoreBatch({ name: 'batch', version: 1 }, spec, { action: 'throw' } as unknown as ScoreRequest)).rejects.toThrow(
      /status 500: .*cannot score this/,
    );
    await expect(workspace.scoreBatch({ name: 'batch', version: 1 }, join(fixtures, 'scoring/deployment-bad-init.yaml'), request)).rejects.toThrow(
      /bad_init\.js failed: .*exited[\s\S]*model file is corrupt/,
    );
    await expect(workspace.scoreBatch({ name: 'batch', version: 9 }, spec, request)).rejects.toThrow(/model 'batch:9' not found/);
  });
});
