import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { BlobEventSource } from '../../../devhost/blobEventSource';
import { createHostLogger } from '../../../devhost/logger';
import { until } from '../../../devhost/waitFor';

/** Item 7 of issue 11: a blob name Azurite cannot list must not stop reconciliation. */
describe('blob event reconciliation with a name Azurite cannot list', () => {
  let azurite: RunningAzurite;
  let receiver: Server;
  let dir: string;
  const subjects: string[] = [];
  const warnings: string[] = [];

  beforeAll(async () => {
    azurite = await startAzurite();
    dir = mkdtempSync(join(tmpdir(), 'reconcile-unlistable-'));
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        for (const event of [JSON.parse(body)].flat() as { subject: string }[]) subjects.push(event.subject);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('emits every blob it can list, before and after the bad name and in other containers, and reports the skipped names with a reason', async () => {
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    // Written straight to Azurite, as while the stack is down: only reconciliation sees them.
    const training = service.getContainerClient('training-data');
    await training.create();
    for (const name of ['default/a.csv', 'default/ctrl\u0001char.csv', 'default/z.csv']) await training.getBlockBlobClient(name).upload('x', 1);
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
      webhookUrl: () => `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
      logger: createHostLogger({ write: (line, level) => level === 'warning' && warnings.push(line) }),
      reconcileIntervalMs: 0,
    });
    await source.start();
    // start() has listed everything; deliveries of what it found may still be on their way.
    await until(() => (subjects.length >= 3 || warnings.some((w) => /failed/.test(w)) ? true : undefined), 'three deliveries or a failed reconciliation');
    await source.stop();

    expect([...subjects].sort()).toEqual([
      '/blobServices/default/containers/second/blobs/p/x.csv',
      '/blobServices/default/containers/training-data/blobs/default/a.csv',
      '/blobServices/default/containers/training-data/blobs/default/z.csv',
    ]);
    expect(warnings).toEqual([
      expect.stringMatching(/skipped names in training-data\/\* after 'default\/a\.csv' that the storage cannot list \(the storage answered 500 with an empty body\): they begin "default\/ctrl" and then a control character/),
    ]);
  });
});
