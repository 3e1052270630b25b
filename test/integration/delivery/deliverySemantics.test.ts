import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateCsv } from '../../../examples/tabular/generate';
import type { Release } from '../../../shared/release/types';
import { startTestStack, waitFor, type TestStack } from '../e2e/localStack';

/**
 * At-least-once delivery as Azure does it: the same event delivered again at once,
 * concurrently, out of order and replayed after its effect is over. Each event has
 * exactly one effect: one release per blob version, one job and one model version per
 * release, one monitor run per drift event, one reaction per alert.
 */
jest.setTimeout(300_000);

const ROOT = resolve(__dirname, '../../..');
let stack: TestStack;
let container: ContainerClient;

beforeAll(async () => {
  stack = await startTestStack();
  container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
  await container.createIfNotExists();
});
afterAll(async () => {
  await stack?.stop();
});

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.api}${path}`, { headers: { authorization: `Bearer ${stack.token()}` } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

function deliver(functionName: string, events: unknown[]): Promise<number> {
  return fetch(`${stack.functions}/runtime/webhooks/eventgrid?functionName=${functionName}&code=${stack.eventGridKey()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
    body: JSON.stringify(events),
  }).then((r) => r.status);
}

function blobCreated(id: string, blob: string, eTag: string, length: number) {
  return {
    id,
    topic:
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/devstoreaccount1',
    subject: `/blobServices/default/containers/training-data/blobs/${blob}`,
    eventType: 'Microsoft.Storage.BlobCreated',
    eventTime: new Date().toISOString(),
    data: {
      api: 'PutBlob',
      eTag,
      contentType: 'text/csv',
      contentLength: length,
      blobType: 'BlockBlob',
      url: container.getBlockBlobClient(blob).url,
    },
    dataVersion: '',
    metadataVersion: '1',
  };
}

const ended = (r: Release) => !['queued', 'running'].includes(r.status);

describe('delivery semantics on the embedded stack', () => {
  it('gives each blob version exactly one release, one job and one model version, however its events arrive', async () => {
    const blob = 'default/delivered.csv';
    const v1 = generateCsv({ rows: 600, seed: 41 });
    const eTag1 = (await container.getBlockBlobClient(blob).upload(v1, v1.length)).etag!;
    const v2 = generateCsv({ rows: 600, seed: 42 });
    const eTag2 = (await container.getBlockBlobClient(blob).upload(v2, v2.length)).etag!;
    const e1 = blobCreated('evt-v1', blob, eTag1, v1.length);
    const e2 = blobCreated('evt-v2', blob, eTag2, v2.length);
    // Newer first, both twice, concurrently (the proxy has delivered each once already).
    const statuses = await Promise.all([deliver('blobCreated', [e2]), deliver('blobCreated', [e1]), deliver('blobCreated', [e2, e1])]);
    expect(statuses).toEqual([200, 200, 200]);
    const releases = await waitFor('both versions to end', async () => {
      const ours = (await get<{ releases: Release[] }>('/releases')).releases.filter((r) => r.data?.blob === blob);
      return ours.length >= 2 && ours.every(ended) ? ours : undefined;
    });
    // Replayed after everything ended (Event Grid retries for up to 24 h).
    expect(await deliver('blobCreated', [e1, e2])).toBe(200);
    const after = (await get<{ releases: Release[] }>('/releases')).releases.filter((r) => r.data?.blob === blob);
    expect(after.map((r) => r.id).sort()).toEqual(releases.map((r) => r.id).sort());
    expect(new Set(after.map((r) => r.data?.eTag)).size).toBe(2);

    const jobs = readdirSync(join(stack.stateDir, 'workspaces/dev/jobs'));
    const { models } = await get<{ models: { environment: string; tags: Record<string, string> }[] }>('/models');
    for (const release of after) {
      expect(jobs.filter((j) => j.startsWith(release.id))).toEqual(release.job ? [`${release.id}-train`] : []);
      expect(models.filter((m) => m.environment === 'dev' && m.tags['autopilot.release'] === release.id).length).toBeLessThanOrEqual(1);
    }
    // The older version's release never trains on the newer bytes: it read v1, or refused the overwritten blob.
    const older = after.find((r) => r.data?.eTag === e1.data.eTag.replace(/"/g, ''))!;
    if (older.status === 'rejected') expect(older.reason).toMatch(/overwritten/);
    else expect(older.data?.rows).toBe(600);
  });

  it('starts one monitor run for a DatasetDriftDetected event delivered three times', async () => {
    const sample = (
      JSON.parse(readFileSync(join(ROOT, 'test/fixtures/alerts/aml-events-eventgrid.json'), 'utf8')) as {
        eventType: string;
        data: Record<string, unknown>;
      }[]
    ).find((e) => e.eventType.endsWith('DatasetDriftDetected'))!;
    const event = { ...sample, id: 'drift-replayed', data: { ...sample.data, DataDriftName: 'default' } };
    for (let i = 0; i < 3; i++) expect(await deliver('amlEvents', [event])).toBe(200);
    const { runs } = await get<{ runs: { trigger: string }[] }>('/monitors/default');
    expect(runs.filter((r) => r.trigger === 'external')).toHaveLength(1);
  });

  it('reacts once to an alert Azure Monitor sends three times', async () => {
    const key = (JSON.parse(readFileSync(join(stack.stateDir, 'host-keys.json'), 'utf8')) as { functionKeys: { default: string } })
      .functionKeys.default;
    const alert = readFileSync(join(ROOT, 'test/fixtures/alerts/metric-fired.json'), 'utf8');
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${stack.api}/alerts?code=${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: alert,
      });
      outcomes.push(((await response.json()) as { outcome: string }).outcome);
    }
    expect(outcomes.slice(1)).toEqual(['duplicate', 'duplicate']);
    const { alerts } = await get<{ alerts: unknown[] }>('/alerts');
    expect(alerts).toHaveLength(1);
  });
});
