import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { BlobEventSource } from '../../../devhost/blobEventSource';
import { createHostLogger } from '../../../devhost/logger';
import { waitFor } from '../../support/waitFor';
import { startEventReceiver } from '../../fakes/eventReceiver';

/** Item 7 of issue 11: a blob name Azurite cannot list must not stop reconciliation. */
describe('blob event reconciliation with a name Azurite cannot list', () => {
  let azurite: RunningAzurite;
  let receiver: Awaited<ReturnType<typeof startEventReceiver>>;
  let dir: string;
  let subjects: string[] = [];
  const warnings: string[] = [];

  beforeAll(async () => {
    azurite = await startAzurite();
    dir = mkdtempSync(join(tmpdir(), 'reconcile-unlistable-'));
    receiver = await startEventReceiver();
    subjects = receiver.subjects;
  });

  afterAll(async () => {
    await receiver.close();
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('emits every blob it can list, before and after the bad name and in other containers, and reports the skipped names with a reason', async () => {
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    // Written straight to Azurite, as while the stack is down: only reconciliation sees them.
    const training = service.getContainerClient('training-data');
    await training.create();
    for (const name of ['default/a.csv', 'default/ctrl\u0001char.csv', 'default/z.csv'])
      await training.getBlockBlobClient(name).upload('x', 1);
    const second = service.getContainerClient('second');
    await second.create();
    await second.getBlockBlobClient('p/x.csv').upload('x', 1);

    const source = new BlobEventSource({
      azuriteBlobPort: azurite.ports.blob,
      publicBlobPort: 0,
      eventSubscriptions: [
        { functionName: 'a', subjectBeginsWith: '/blobServices/default/containers/training-data/' },
        { functionName: 'b', subjectBeginsWith: '/blobServices/default/containers/second/' },
      ],
      stateDir: dir,
      webhookUrl: () => receiver.url,
      logger: createHostLogger({ write: (line, level) => level === 'warning' && warnings.push(line) }),
      reconcileIntervalMs: 0,
    });
    await source.start();
    // start() has listed everything; deliveries of what it found may still be on their way.
    await waitFor('three deliveries or a failed reconciliation', () =>
      subjects.length >= 3 || warnings.some((w) => /failed/.test(w)) ? true : undefined,
    );
    await source.stop();

    expect([...subjects].sort()).toEqual([
      '/blobServices/default/containers/second/blobs/p/x.csv',
      '/blobServices/default/containers/training-data/blobs/default/a.csv',
      '/blobServices/default/containers/training-data/blobs/default/z.csv',
    ]);
    expect(warnings).toEqual([
      expect.stringMatching(
        /skipped names in training-data\/\* after 'default\/a\.csv' that the storage cannot list \(the storage answered 500 with an empty body\): they begin "default\/ctrl" and then a control character/,
      ),
    ]);
  });
});
