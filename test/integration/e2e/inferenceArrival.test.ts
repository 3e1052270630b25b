import { BlobServiceClient } from '@azure/storage-blob';
import { join, resolve } from 'node:path';
import { generateCsv } from '../../../examples/tabular/generate';
import { inferenceBlobName } from '../../../shared/monitoring/inferenceBlobName';
import { INFERENCE_CONTAINER, type InferenceRecord } from '../../../shared/monitoring/inferenceRecord';
import type { MonitorRun } from '../../../shared/monitoring/runMonitor';
import type { Release } from '../../../shared/release/types';
import { startTestStack, waitFor, type TestStack } from './localStack';

// Deadlines only bound how long a failure takes on a loaded machine: training a model, then events.
jest.setTimeout(600_000);

const ROOT = resolve(__dirname, '../../..');
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ config: join(ROOT, 'test/fixtures/e2e/arrival.yaml') });
});

afterAll(async () => {
  await stack?.stop();
});

async function api<T>(path: string, method = 'GET'): Promise<T> {
  const response = await fetch(`${stack.api}${path}`, { method, headers: { authorization: `Bearer ${stack.token()}` } });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Prod inference records of `deployment` as the collector writes them, from generated rows. */
function records(deployment: string, seed: number, time: Date): string {
  const [header, ...lines] = generateCsv({ rows: 400, seed }).trimEnd().split('\n');
  const columns = header!.split(',');
  return (
    lines
      .map((line, i) => {
        const values = line.split(',');
        const input = Object.fromEntries(
          columns.flatMap((c, j) =>
            c === 'label' ? [] : [[c, values[j] === '' ? null : Number.isFinite(Number(values[j])) ? Number(values[j]) : values[j]]],
          ),
        );
        const record: InferenceRecord = {
          requestId: `r${seed}-${i}`,
          endpoint: 'default-prod',
          environment: 'prod',
          deployment,
          model: { name: 'default', version: 1 },
          time: new Date(time.getTime() + i).toISOString(),
          input,
          prediction: i % 3 ? 0 : 1,
        };
        return JSON.stringify(record);
      })
      .join('\n') + '\n'
  );
}

describe('inference blobs summarised as they arrive, on the embedded stack', () => {
  it('summarises each blob written to Azurite on its BlobCreated event, and a monitor run merges them, reporting what a cold run reports', async () => {
    const storage = BlobServiceClient.fromConnectionString(stack.connectionString);
    const training = storage.getContainerClient('training-data');
    await training.createIfNotExists();
    const data = generateCsv({ rows: 1500, seed: 7 });
    await training.getBlockBlobClient('default/base.csv').upload(data, data.length);
    const release = await waitFor(
      'the first model in prod',
      async () => {
        const { releases } = await api<{ releases: Release[] }>('/releases');
        const done = releases.find((r) => r.status !== 'running' && r.status !== 'queued' && r.deployments.prod);
        return done?.status === 'succeeded' ? done : undefined;
      },
      { timeoutMs: 400_000 },
    );
    const deployment = release.deployments.prod!.deployment;

    // Written through the blob port clients use, as the collector writes: each write raises BlobCreated.
    const inference = storage.getContainerClient(INFERENCE_CONTAINER);
    await inference.createIfNotExists();
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
    const good = [1, 2, 3].map((seq) => ({
      name: inferenceBlobName('default-prod', deployment, at(10 - seq), seq),
      text: records(deployment, seq, at(10 - seq)),
    }));
    const junk = { name: inferenceBlobName('default-prod', deployment, at(5), 9), text: 'not json\n{"requestId": 3}\n' };
    for (const blob of [...good, junk]) await inference.getBlockBlobClient(blob.name).upload(blob.text, Buffer.byteLength(blob.text));

    const artifacts = storage.getContainerClient('autopilot-artifacts');
    const summaries = async () => {
      const names: string[] = [];
      for await (const b of artifacts.listBlobsFlat({ prefix: 'drift-summaries/' })) names.push(b.name);
      return names;
    };
    await waitFor('a summary of each readable blob', async () => ((await summaries()).length >= good.length ? true : undefined), {
      timeoutMs: 120_000,
    });
    await waitFor(
      'the logged refusal of the unreadable blob',
      async () => stack.output().includes(`cannot summarise ${INFERENCE_CONTAINER}/${junk.name}`) || undefined,
      { timeoutMs: 120_000 },
    );
    expect((await summaries()).sort()).toEqual(
      good.map((b) =>
        expect.stringMatching(new RegExp(`^drift-summaries/[0-9a-f]{32}/${b.name.replace(/[.]/g, '\\.')}\\.summary\\.json$`)),
      ),
    );

    const { run: warm } = await api<{ run: MonitorRun }>('/monitors/default/run', 'POST');
    // Every readable blob merged from its arrival summary; only the unreadable one read.
    expect(warm.reading).toEqual({ blobs: 4, summariesMerged: 3, summariesWritten: 0, summariesUnwritten: 0 });
    expect(warm.rows).toBe(1200);
    expect(warm.unreadable.malformedLines).toBe(2);

    for (const name of await summaries()) await artifacts.deleteBlob(name);
    const { run: cold } = await api<{ run: MonitorRun }>('/monitors/default/run', 'POST');
    expect(cold.reading).toEqual({ blobs: 4, summariesMerged: 0, summariesWritten: 3, summariesUnwritten: 0 });
    expect({ rows: warm.rows, unreadable: warm.unreadable, features: warm.report?.features, outcome: warm.outcome }).toEqual({
      rows: cold.rows,
      unreadable: cold.unreadable,
      features: cold.report?.features,
      outcome: cold.outcome,
    });
  });
});
