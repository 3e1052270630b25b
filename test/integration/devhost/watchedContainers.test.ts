import { BlobServiceClient } from '@azure/storage-blob';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startChildStack, type ChildStack } from '../../../devhost/childStack';
import { waitFor } from '../../support/waitFor';
import { generateCsv } from '../../../examples/tabular/generate';
import type { Release } from '../../../shared/release/types';

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, '../../..');

/** The local stack subscribes blobCreated to every container a pipeline watches, not training-data alone. */
describe('a pipeline watching a container of its own', () => {
  let dir: string;
  let stack: ChildStack | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'watched-'));
    writeFileSync(
      join(dir, 'autopilot.yaml'),
      `version: 1
pipelines:
  churn:
    data: { container: churn-data, prefix: in/, minRows: 50 }
    training: { job: ${ROOT}/examples/tabular/job.yaml }
    deployment: { spec: ${ROOT}/examples/tabular/deployment.yaml }
`,
    );
    stack = await startChildStack(join(dir, 'autopilot.yaml'));
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a release when data lands there', async () => {
    const container = BlobServiceClient.fromConnectionString(stack!.connectionString).getContainerClient('churn-data');
    await container.createIfNotExists();
    const csv = generateCsv({ rows: 200, seed: 3 });
    await container.getBlockBlobClient('in/first.csv').upload(csv, Buffer.byteLength(csv));
    const release = await waitFor(
      'a release of churn-data/in/first.csv',
      async () => {
        const response = await fetch(`${stack!.api}/releases`, { headers: { authorization: `Bearer ${stack!.token()}` } });
        const { releases } = (await response.json()) as { releases: Release[] };
        return releases.find((r) => r.data?.container === 'churn-data' && r.data.blob === 'in/first.csv');
      },
      { timeoutMs: 120_000 },
    );
    expect(release.pipeline).toBe('churn');
  });
});
