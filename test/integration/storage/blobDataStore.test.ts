import { createStorage, normalizeETag, sameETag } from '../../../adapters/azure/storage';
import { NotFoundError } from '../../../shared/errors';
import { useAzuriteStorage } from './azuriteStorage';

const azurite = useAzuriteStorage();
const storageOf = azurite.storage;

describe('BlobDataStore on Azurite', () => {
  test('write creates the container and read returns the same bytes with the quoted eTag the service gave', async () => {
    const ref = { container: 'fresh-container', name: 'default/data.csv' };
    const written = await storageOf().data.write(ref, 'a,label\n1,0\n', { contentType: 'text/csv' });
    expect(written.eTag).toMatch(/^"0x[0-9A-F]+"$/);
    expect(written.url).toBe(storageOf().data.urlOf(ref));
    expect(written.contentLength).toBe(12);

    const { content, info } = await storageOf().data.read(ref);
    expect(content.toString()).toBe('a,label\n1,0\n');
    expect(info).toMatchObject({
      ...ref,
      eTag: written.eTag,
      contentLength: 12,
      contentType: 'text/csv',
      lastModified: expect.stringMatching(/^\d{4}-/),
    });
    expect(await storageOf().data.getInfo(ref)).toMatchObject({ eTag: written.eTag, contentLength: 12 });
  });

  test('read of a missing blob throws NotFoundError naming container and blob', async () => {
    const ref = { container: 'fresh-container', name: 'nope.csv' };
    await expect(storageOf().data.read(ref)).rejects.toThrow(NotFoundError);
    await expect(storageOf().data.read(ref)).rejects.toThrow("Blob 'fresh-container/nope.csv' not found");
    expect(await storageOf().data.getInfo(ref)).toBeUndefined();
    expect(await storageOf().data.getInfo({ container: 'no-such-container', name: 'x' })).toBeUndefined();
  });

  test('an overwrite changes the eTag', async () => {
    const ref = { container: 'fresh-container', name: 'overwrite.csv' };
    const first = await storageOf().data.write(ref, 'one');
    const second = await storageOf().data.write(ref, Buffer.from('two'));
    expect(sameETag(first.eTag, second.eTag)).toBe(false);
    expect((await storageOf().data.read(ref)).content.toString()).toBe('two');
  });

  test('list returns every blob under the prefix across pages, and nothing for a missing container', async () => {
    // A page size of 2 makes 7 blobs take 4 pages without uploading thousands.
    const paged = createStorage({ connectionString: azurite.connectionString() }, { listPageSize: 2 });
    const names = Array.from({ length: 7 }, (_, i) => `many/${i}.csv`);
    const written = [];
    for (const name of names) written.push(await paged.data.write({ container: 'listing', name }, 'x'));
    await paged.data.write({ container: 'listing', name: 'other/skip.csv' }, 'x');

    const listed = await paged.data.list('listing', 'many/');
    expect(listed.map((b) => b.name)).toEqual(names);
    expect(listed[0]).toMatchObject({
      container: 'listing',
      contentLength: 1,
      url: paged.data.urlOf({ container: 'listing', name: 'many/0.csv' }),
    });
    // The listing XML carries eTags bare while writes return them quoted: compare normalised.
    expect(sameETag(listed[0]!.eTag, written[0]!.eTag)).toBe(true);
    expect(await paged.data.list('never-created', '')).toEqual([]);
  });

  test('urlOf encodes blob names the way the service addresses them', () => {
    expect(storageOf().data.urlOf({ container: 'c', name: 'dir/with space.csv' })).toBe(
      `http://127.0.0.1:${azurite.blobPort()}/devstoreaccount1/c/dir/with%20space.csv`,
    );
  });
});

describe('normalizeETag', () => {
  test('strips quotes and the weak prefix so Event Grid and Storage eTags compare equal', () => {
    expect(normalizeETag('"0x8DC1"')).toBe('0x8DC1');
    expect(normalizeETag('W/"0x8DC1"')).toBe('0x8DC1');
    expect(normalizeETag('0x8DC1')).toBe('0x8DC1');
    expect(sameETag('"0x8DC1"', '0x8DC1')).toBe(true);
    expect(sameETag(undefined, '0x8DC1')).toBe(false);
  });
});
