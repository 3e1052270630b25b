import { BlobServiceClient } from '@azure/storage-blob';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Release } from '../../../shared/release/types';
import { PYTHON, requireSklearn } from './pythonWithSklearn';
import { startTestStack, waitFor, type TestStack } from '../e2e/localStack';

/**
 * A scikit-learn regressor (Ridge in train.py, `predict(...).tolist()` in score.py) through the
 * loop unchanged, with Debian's python3-sklearn, on the public diabetes data.
 */
jest.setTimeout(600_000);

const ROOT = join(__dirname, '../../..');
const DIABETES = readFileSync(join(ROOT, 'test/fixtures/regression/diabetes.csv'), 'utf8');
let stack: TestStack;

beforeAll(async () => {
  requireSklearn();
  stack = await startTestStack({ config: join(ROOT, 'test/fixtures/python/regressor.yaml'), env: { AUTOPILOT_PYTHON: PYTHON } });
});

afterAll(async () => {
  await stack?.stop();
});

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.api}${path}`, { headers: { authorization: `Bearer ${stack.token()}` } });
  return (await response.json()) as T;
}

describe('a scikit-learn regressor project on the embedded stack', () => {
  it('trains with train.py, gates on rmse through score.py, and prod answers numbers', async () => {
    const container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
    await container.createIfNotExists();
    await container.getBlockBlobClient('diabetes/day1.csv').upload(DIABETES, Buffer.byteLength(DIABETES));
    const release = await waitFor(
      'the release of diabetes/day1.csv',
      async () => {
        const found = (await get<{ releases: Release[] }>('/releases')).releases.find((r) => r.data?.blob === 'diabetes/day1.csv');
        return found && !['queued', 'running'].includes(found.status) ? found : undefined;
      },
      { timeoutMs: 300_000 },
    );
    expect({ status: release.status, reason: release.reason }).toEqual({ status: 'succeeded', reason: undefined });
    expect(release.metrics.training).toMatchObject({ rmse: expect.any(Number), r2: expect.any(Number) });
    expect(release.gate).toMatchObject({ metric: 'rmse', passed: true });
    // Ridge on the diabetes data: r2 near 0.5 on held-out rows, rmse in the target's units (about 55).
    expect(release.metrics.candidate?.r2).toBeGreaterThan(0.3);
    expect(release.metrics.candidate?.rmse).toBeLessThan(70);

    const [header, ...rows] = DIABETES.trimEnd().split('\n');
    const columns = header!.split(',').filter((c) => c !== 'progression');
    const data = rows.slice(0, 3).map((r) => r.split(',').slice(0, -1).map(Number));
    const score = await fetch(`${stack.endpoints}/diabetes-prod/score`, {
      method: 'POST',
      body: JSON.stringify({ input_data: { columns, data } }),
    });
    expect(score.status).toBe(200);
    const answer = (await score.json()) as unknown[];
    expect(answer).toHaveLength(3);
    for (const p of answer) expect(typeof p === 'number' && Number.isFinite(p)).toBe(true);
  });
});
