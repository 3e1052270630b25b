import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY, startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { BlobEventSource } from '../../../devhost/blobEventSource';
import { createHostLogger } from '../../../devhost/logger';
import { waitFor } from '../../support/waitFor';
import { startEventReceiver } from '../../fakes/eventReceiver';

/**
 * Issue 11, finding 9, at the local event source: a blob whose name the release engine
 * refuses (dot or empty segments, percent-encoded dots) gets no BlobCreated event; the
 * source reports it once, with the reason, and goes on, written through the proxy or
 * found by the listing reconciliation.
 */
describe('local BlobCreated events for blob names the engine refuses', () => {
  let azurite: RunningAzurite;
  let receiver: Awaited<ReturnType<typeof startEventReceiver>>;
  let dir: string;
  let subjects: string[] = [];
  const warnings: string[] = [];

  beforeAll(async () => {
    azurite = await startAzurite();
    dir = mkdtempSync(join(tmpdir(), 'blob-event-names-'));
    receiver = await startEventReceiver();
    subjects = receiver.subjects;
  });

  afterAll(async () => {
    await receiver.close();
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('emits the good names, reports each refused one once with the reason, through the proxy and from reconciliation', async () => {
    const direct = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('training-data');
    await direct.create();
    // Written straight to Azurite, as while the stack is down: only reconciliation sees them.
    for (const name of ['default/before.csv', 'default//double.csv', 'default/%2e%2e/encoded.csv'])
      await direct.getBlockBlobClient(name).upload('x', 1);

    const source = new BlobEventSource({
      azuriteBlobPort: azurite.ports.blob,
      publicBlobPort: 0,
      eventSubscriptions: [{ functionName: 'a', subjectBeginsWith: '/blobServices/default/containers/training-data/' }],
      stateDir: dir,
      webhookUrl: () => receiver.url,
      logger: createHostLogger({ write: (line, level) => level === 'warning' && warnings.push(line) }),
      reconcileIntervalMs: 0,
    });
    await source.start();
    try {
      // Through the proxy, as a client uploads while the stack runs.
      const proxied = new BlobServiceClient(
        `${source.publicBlobUrl}/${DEV_ACCOUNT}`,
        new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY),
      ).getContainerClient('training-data');
      for (const name of ['default//proxy-double.csv', 'default/.%2E/proxy-encoded.csv', 'default/after.csv'])
        await proxied.getBlockBlobClient(name).upload('x', 1);
      // Settled when the good blobs are delivered and each bad one was either reported or (wrongly) delivered.
      const good = ['default/after.csv', 'default/before.csv'].map((n) => `/blobServices/default/containers/training-data/blobs/${n}`);
      await waitFor(
        'the good deliveries and four refusals',
        () => good.every((g) => subjects.includes(g)) && warnings.length + subjects.length - good.length >= 4,
      );
      // Later listings see the refused blobs again: they are not reported again, nor emitted.
      await source.reconcile();
      await source.reconcile();
    } finally {
      await source.stop();
    }

    expect([...subjects].sort()).toEqual([
      '/blobServices/default/containers/training-data/blobs/default/after.csv',
      '/blobServices/default/containers/training-data/blobs/default/before.csv',
    ]);
    const refusals = [
      ['default//double.csv', /empty path segment/],
      ['default/%2e%2e/encoded.csv', /percent-encoded/],
      ['default//proxy-double.csv', /empty path segment/],
      ['default/.%2E/proxy-encoded.csv', /percent-encoded/],
    ] as const;
    for (const [name, why] of refusals) {
      const lines = warnings.filter((w) => w.includes(`training-data/${name}`));
      expect({ name, count: lines.length }).toEqual({ name, count: 1 });
      expect(lines[0]).toMatch(/No BlobCreated event for training-data\/.*: blob name ".*" /);
      expect(lines[0]).toMatch(why);
    }
    expect(warnings).toHaveLength(refusals.length);
  });
});
