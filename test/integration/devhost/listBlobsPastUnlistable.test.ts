import { BlobServiceClient, RestError, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { listBlobsPastUnlistable, type UnlistableBlobs } from '../../../devhost/listBlobsPastUnlistable';

/** Real Azurite, which answers 500 to any listing that would hold a name with a control character. */
describe('listBlobsPastUnlistable', () => {
  let azurite: RunningAzurite;
  let service: BlobServiceClient;
  let n = 0;

  beforeAll(async () => {
    azurite = await startAzurite();
    // As the event source's lister: a 500 is the answer here, not a fault to retry.
    service = BlobServiceClient.fromConnectionString(azurite.connectionString, { retryOptions: { maxTries: 1 } });
  });
  afterAll(() => azurite.stop());

  async function containerWith(names: string[]): Promise<ContainerClient> {
    const client = service.getContainerClient(`listing-${++n}`);
    await client.create();
    for (const name of names) await client.getBlockBlobClient(name).upload('x', 1);
    return client;
  }

  async function list(client: ContainerClient, prefix: string, pageSize?: number) {
    const reported: UnlistableBlobs[] = [];
    const names: string[] = [];
    for await (const blob of listBlobsPastUnlistable(client, prefix, (r) => reported.push(r), pageSize)) names.push(blob.name);
    return { names, reported };
  }

  it('lists every clean name around a stretch of unlistable ones and reports the stretch once', async () => {
    const client = await containerWith([
      'default/a.csv',
      'default/ctrl\u0001char.csv',
      'default/ctrl\u0001two.csv',
      'default/ctrl',
      'default/ctrl .csv',
      'default/ctrlz.csv',
      'default/z.csv',
      'other/q.csv',
    ]);
    const { names, reported } = await list(client, 'default/');
    expect(names).toEqual(['default/a.csv', 'default/ctrl', 'default/ctrl .csv', 'default/ctrlz.csv', 'default/z.csv']);
    expect(reported).toEqual([
      { after: 'default/ctrl', resumedAfter: 'default/ctrl ', clean: 'default/ctrl', reason: expect.stringContaining('500') },
    ]);
  });

  it('goes on past a bad first name and past two separate stretches, across pages', async () => {
    const clean = Array.from({ length: 12 }, (_, i) => `p/m${String(i).padStart(2, '0')}.csv`);
    const client = await containerWith(['p/\u0002first.csv', ...clean, 'p/m05\u001fx.csv', 'p/n\u0003.csv', 'p/zz.csv']);
    const { names, reported } = await list(client, 'p/', 5);
    expect(names).toEqual([...clean, 'p/zz.csv']);
    expect(reported.map((r) => [r.after, r.clean])).toEqual([
      ['', 'p/'],
      ['p/m04.csv', 'p/m05'],
      ['p/m11.csv', 'p/n'],
    ]);
  });

  it('reports and ends, without probing forever, when the storage fails every listing', async () => {
    const client = await containerWith(['q/a.csv']);
    const failing = new Proxy(client, {
      get: (target, key) =>
        key === 'listBlobsFlat'
          ? () => {
              throw new RestError('', { statusCode: 500 });
            }
          : Reflect.get(target, key),
    });
    const { names, reported } = await list(failing, 'q/');
    expect(names).toEqual([]);
    expect(reported).toEqual([{ after: '', reason: expect.stringContaining('500') }]);
  });
});
