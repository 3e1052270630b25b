import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Release } from '../../../shared/release/types';
import { PYTHON, requireSklearn } from './pythonWithSklearn';
import { startTestStack, waitFor, type TestStack } from '../e2e/localStack';

/**
 * A data scientist's unchanged Azure ML project (examples/sklearn: train.py, score.py,
 * job.yaml, deployment.yaml) through the whole loop on the embedded stack, with Debian's
 * python3-sklearn. Real data: the Breast Cancer Wisconsin dataset (make_sample.py).
 */
jest.setTimeout(600_000);

const ROOT = join(__dirname, '../../..');
const sample = readFileSync(join(ROOT, 'examples/sklearn/sample.csv'), 'utf8');
const [header, ...rows] = sample.trimEnd().split('\n');
// Two samples of the same population, as two days of data would be (rows interleaved, not sorted by class).
const day = (parity: number) => [header, ...rows.filter((_, i) => i % 2 === parity)].join('\n') + '\n';

let stack: TestStack;
let container: ContainerClient;

beforeAll(async () => {
  requireSklearn();
  stack = await startTestStack({ config: join(ROOT, 'test/fixtures/python/sklearn.yaml'), env: { AUTOPILOT_PYTHON: PYTHON } });
  container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
  await container.createIfNotExists();
});

afterAll(async () => {
  await stack?.stop();
});

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.api}${path}`, { headers: { authorization: `Bearer ${stack.token()}` } });
  return (await response.json()) as T;
}

async function settle(blob: string, content: string): Promise<Release> {
  await container.getBlockBlobClient(blob).upload(content, Buffer.byteLength(content));
  return waitFor(
    `release of ${blob}`,
    async () => {
      const release = (await get<{ releases: Release[] }>('/releases')).releases.find((r) => r.data?.blob === blob);
      return release && !['queued', 'running'].includes(release.status) ? release : undefined;
    },
    { timeoutMs: 300_000 },
  );
}

describe('the scikit-learn example (train.py + score.py) on the embedded stack', () => {
  it('trains with train.py, gates through score.py, and serves prod', async () => {
    const release = await settle('sklearn/day1.csv', day(0));
    expect({ status: release.status, reason: release.reason }).toEqual({ status: 'succeeded', reason: undefined });
    expect(release.metrics.training).toMatchObject({ auc: expect.any(Number), accuracy: expect.any(Number) });
    expect(release.metrics.candidate?.auc).toBeGreaterThan(0.9);

    const columns = header!.split(',').filter((c) => c !== 'label');
    const labelIndex = header!.split(',').indexOf('label');
    const picked = rows.slice(0, 4).map((r) => r.split(','));
    const score = await fetch(`${stack.endpoints}/sklearn-prod/score`, {
      method: 'POST',
      body: JSON.stringify({ input_data: { columns, data: picked.map((r) => r.filter((_, i) => i !== labelIndex).map(Number)) } }),
    });
    expect(score.status).toBe(200);
    expect(score.headers.get('azureml-model-deployment')).toBe('v001');
    const body = (await score.json()) as { predictions: number[]; classes: number[] };
    expect(body.classes).toEqual([0, 1]);
    expect(body.predictions).toEqual(picked.map((r) => Number(r[labelIndex])));
  });

  it('takes the next day of data through staging and an analysed canary', async () => {
    const release = await settle('sklearn/day2.csv', day(1));
    expect(['succeeded', 'rolled_back']).toContain(release.status);
    expect(release.staging?.smoke).toMatchObject({ errors: 0 });
    expect(release.canary?.verdict).toBeDefined();
    expect(release.stages.canary?.detail).toBeDefined();
  });

  it('with data.trainingSet: all trains on every increment, lists each in the lineage, and the same files give the same model bytes', async () => {
    const first = await settle('increments/a.csv', day(0));
    const second = await settle('increments/b.csv', day(1));
    expect([first.status, second.status]).toEqual(['rejected', 'rejected']); // at the floor of 2, after registering
    expect(second.data!.rows).toBe(rows.length);
    expect(second.data!.trainingSet!.sources).toEqual([
      {
        blob: 'increments/a.csv',
        eTag: first.data!.eTag,
        sha256: first.data!.trainingSet!.sources[0]!.sha256,
        rows: Math.ceil(rows.length / 2),
      },
      {
        blob: 'increments/b.csv',
        eTag: second.data!.eTag,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        rows: Math.floor(rows.length / 2),
      },
    ]);
    // The same two files again, started by hand: the same union, split and model.
    const started = await fetch(`${stack.api}/releases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: 'increments', blob: 'increments/b.csv' }),
    });
    expect(started.status).toBe(202);
    const {
      release: { id },
    } = (await started.json()) as { release: Release };
    const third = await waitFor(
      'the manual release',
      async () => {
        const release = (await get<{ releases: Release[] }>('/releases')).releases.find((r) => r.id === id);
        return release && !['queued', 'running'].includes(release.status) ? release : undefined;
      },
      { timeoutMs: 300_000 },
    );
    type Model = { environment: string; version: number; sha256: string; lineage: Record<string, string> };
    const models = (await get<{ models: Model[] }>('/models?name=increments')).models.filter((m) => m.environment === 'dev');
    const modelOf = (release: Release) => models.find((m) => m.version === release.model!.version)!;
    expect(modelOf(third).sha256).toBe(modelOf(second).sha256);
    expect(modelOf(second).sha256).not.toBe(modelOf(first).sha256);
    expect(modelOf(second).lineage).toMatchObject({ trainingSet: `releases/${second.id}/training-set.json`, releaseId: second.id });
  });
});
