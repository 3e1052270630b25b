import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite } from '../../../devhost/azurite';
import type { EventSubscriptionInput } from '../../../devhost/eventSubscription';
import { readRecords, spawnStack, type Recorded, type StackProcess } from './stackProcess';
import { waitFor } from '../../support/waitFor';

const SUBSCRIPTIONS: EventSubscriptionInput[] = [
  {
    functionName: 'recordEvents',
    includedEventTypes: ['Microsoft.Storage.BlobCreated'],
    subjectBeginsWith: '/blobServices/default/containers/training-data/',
  },
  {
    name: 'failing-sub',
    functionName: 'alwaysFailingEvents',
    subjectBeginsWith: '/blobServices/default/containers/failing/',
    maxDeliveryAttempts: 3,
  },
];

interface BlobCreated {
  id: string;
  subject: string;
  eventType: string;
  data: { api: string; eTag: string; url: string; contentLength: number; blobType: string; contentType: string };
}

describe('synthesized BlobCreated events', () => {
  let dir: string;
  let records: string;
  let stack: StackProcess | undefined;
  const stateDir = () => join(dir, 'state');
  const eventsFor = (blobName: string): BlobCreated[] =>
    readRecords(records)
      .filter((r: Recorded) => r.kind === 'event')
      .map((r) => r['event'] as BlobCreated)
      .filter((e) => e.subject === `/blobServices/default/containers/training-data/blobs/${blobName}`);
  const start = () =>
    spawnStack(
      { stateDir: stateDir(), eventSubscriptions: SUBSCRIPTIONS, retryScale: 0.001, reconcileIntervalMs: 0 },
      { FIXTURE_RECORD_FILE: records, FIXTURE_WRITE_ON_STOP: '1' },
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devhost-blob-'));
    records = join(dir, 'records.jsonl');
    stack = await start();
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const blobService = () => BlobServiceClient.fromConnectionString(stack!.info.connectionString);

  it('delivers exactly one BlobCreated with the eTag, url and length of a blob uploaded through the proxy', async () => {
    const container = blobService().getContainerClient('training-data');
    await container.createIfNotExists();
    const content = 'a,b,label\n1,2,0\n';
    const uploaded = await container
      .getBlockBlobClient('default/small.csv')
      .upload(content, content.length, { blobHTTPHeaders: { blobContentType: 'text/csv' } });
    const [event] = await waitFor(
      'the BlobCreated event',
      () => eventsFor('default/small.csv').length > 0 && eventsFor('default/small.csv'),
    );
    expect(event).toMatchObject({
      eventType: 'Microsoft.Storage.BlobCreated',
      data: {
        api: 'PutBlob',
        eTag: uploaded.etag,
        contentLength: content.length,
        contentType: 'text/csv',
        blobType: 'BlockBlob',
        url: container.getBlockBlobClient('default/small.csv').url,
      },
    });
    // Downloading from the event's URL through the proxy returns the uploaded bytes.
    const download = await blobService().getContainerClient('training-data').getBlobClient('default/small.csv').downloadToBuffer();
    expect(download.toString()).toBe(content);
  });

  it('emits once for a large upload made of Put Block calls and one Put Block List', async () => {
    const container = blobService().getContainerClient('training-data');
    const data = Buffer.alloc(3 * 1024 * 1024, 7);
    const blob = container.getBlockBlobClient('default/large.bin');
    const uploaded = await blob.uploadData(data, { blockSize: 1024 * 1024, maxSingleShotSize: 1024 * 1024, concurrency: 2 });
    const [event] = await waitFor(
      'the BlobCreated event',
      () => eventsFor('default/large.bin').length > 0 && eventsFor('default/large.bin'),
    );
    expect(event!.data).toMatchObject({ api: 'PutBlockList', eTag: uploaded.etag, contentLength: data.length });
    expect(eventsFor('default/large.bin')).toHaveLength(1);
  });

  it('retries a failing subscriber with Event Grid backoff, then dead-letters the event as a blob', async () => {
    const failing = blobService().getContainerClient('failing');
    await failing.createIfNotExists();
    await failing.getBlockBlobClient('x.csv').upload('x', 1);
    const deadLetters = blobService().getContainerClient('eventgrid-deadletter');
    const name = await waitFor('a dead-letter blob', async () => {
      if (!(await deadLetters.exists())) return undefined;
      for await (const b of deadLetters.listBlobsFlat()) return b.name;
      return undefined;
    });
    expect(name).toMatch(/^DEVSTOREACCOUNT1\/FAILING-SUB\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[0-9a-f-]{36}\.json$/);
    const [letter] = JSON.parse((await deadLetters.getBlobClient(name).downloadToBuffer()).toString());
    expect(letter).toMatchObject({
      eventType: 'Microsoft.Storage.BlobCreated',
      subject: '/blobServices/default/containers/failing/blobs/x.csv',
      deadLetterReason: 'MaxDeliveryAttemptsExceeded',
      deliveryAttempts: 3,
      lastHttpStatusCode: 500,
    });
    expect(readRecords(records).filter((r) => r.kind === 'failingEvent')).toHaveLength(3);
  });

  it('keeps storage reachable for the app while it stops; after a restart, emits events for blobs written while the host was down, and only for those', async () => {
    const before = readRecords(records).filter((r) => r.kind === 'event').length;
    await stack!.stop();
    stack = undefined;
    // Write straight into Azurite's persisted data, with no host watching.
    const azurite = await startAzurite({ location: join(stateDir(), 'azurite') });
    let written: string | undefined;
    try {
      // The app's stop hook wrote through the blob proxy, which stays open until the hooks are done.
      const atStop = BlobServiceClient.fromConnectionString(azurite.connectionString)
        .getContainerClient('stopping')
        .getBlobClient('written-at-stop.txt');
      expect((await atStop.downloadToBuffer()).toString()).toBe('bye');
      const direct = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('training-data');
      written = (await direct.getBlockBlobClient('default/offline.csv').upload('a,label\n1,0\n', 12)).etag;
    } finally {
      await azurite.stop();
    }
    stack = await start();
    const [event] = await waitFor(
      'the reconciled event',
      () => eventsFor('default/offline.csv').length > 0 && eventsFor('default/offline.csv'),
    );
    expect(event!.data).toMatchObject({ eTag: written, contentLength: 12 });
    expect(event!.data.url).toContain(`:${stack.info.ports.blob}/devstoreaccount1/training-data/default/offline.csv`);
    const after = readRecords(records).filter((r) => r.kind === 'event');
    expect(after.length - before).toBe(1);
    // Blobs whose events were delivered before the restart were not emitted again.
    expect(eventsFor('default/small.csv')).toHaveLength(1);
    expect(eventsFor('default/large.bin')).toHaveLength(1);
  });
});
