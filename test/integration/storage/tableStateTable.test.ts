import { CHUNK_CHARS } from '../../../adapters/azure/storage';
import { AlreadyExistsError, BadRequestError, ConcurrencyError } from '../../../shared/errors';
import { useAzuriteStorage } from './azuriteStorage';

const azurite = useAzuriteStorage();
const storageOf = azurite.storage;

describe('TableStateTable on Azurite', () => {
  test('insert creates the table on first use and get returns the value with its etag', async () => {
    const table = storageOf().table('releasesA');
    const inserted = await table.insert('default', 'r1', { status: 'queued', n: 1 });
    const read = await table.get<{ status: string }>('default', 'r1');
    expect(read).toEqual({ value: { status: 'queued', n: 1 }, etag: inserted.etag });
    expect(await table.get('default', 'missing')).toBeUndefined();
  });

  test('a second insert of the same key throws AlreadyExistsError naming the row', async () => {
    const table = storageOf().table('releasesA');
    await table.insert('default', 'dup', { a: 1 });
    await expect(table.insert('default', 'dup', { a: 2 })).rejects.toThrow(AlreadyExistsError);
    await expect(table.insert('default', 'dup', { a: 2 })).rejects.toThrow('releasesA/default/dup already exists');
    expect((await table.get('default', 'dup'))?.value).toEqual({ a: 1 });
  });

  test('replace with a stale etag throws ConcurrencyError and keeps the winner', async () => {
    const table = storageOf().table('releasesA');
    const original = await table.insert('default', 'race', { step: 0 });
    const winner = await table.replace('default', 'race', { step: 1 }, original.etag);
    expect(winner.etag).not.toBe(original.etag);
    const loser = table.replace('default', 'race', { step: 2 }, original.etag);
    await expect(loser).rejects.toThrow(ConcurrencyError);
    expect(await table.get('default', 'race')).toEqual({ value: { step: 1 }, etag: winner.etag });
  });

  test('replace of a row deleted meanwhile is a lost race too', async () => {
    const table = storageOf().table('releasesA');
    const row = await table.insert('default', 'gone', { x: 1 });
    await table.delete('default', 'gone');
    await expect(table.replace('default', 'gone', { x: 2 }, row.etag)).rejects.toThrow(ConcurrencyError);
  });

  test('a value larger than one 64 KiB property round-trips, and shrinking it drops the old chunks', async () => {
    const table = storageOf().table('big');
    const big = { rows: Array.from({ length: 3000 }, (_, i) => ({ i, text: `row ${i} ${'x'.repeat(40)}` })), emoji: '✓ é 数据' };
    expect(JSON.stringify(big).length).toBeGreaterThan(3 * CHUNK_CHARS);
    const inserted = await table.insert('p', 'big', big);
    expect((await table.get('p', 'big'))?.value).toEqual(big);

    await table.replace('p', 'big', { small: true }, inserted.etag);
    const entity = await storageOf().clients.table('big').getEntity<Record<string, unknown>>('p', 'big');
    expect(Object.keys(entity).filter((k) => /^d\d+$/.test(k))).toEqual(['d0']);
    expect((await table.get('p', 'big'))?.value).toEqual({ small: true });
  });

  test('list returns one partition in row-key order, honouring limit and fromRow', async () => {
    const table = storageOf().table('ordered');
    for (const row of ['c', 'a', 'e', 'b', 'd']) await table.insert('p1', row, { row });
    await table.insert('p2', 'a', { row: 'other partition' });
    await table.insert("it's", 'a', { row: 'quoted partition' });

    expect((await table.list<{ row: string }>('p1')).map((r) => r.value.row)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect((await table.list<{ row: string }>('p1', { limit: 2 })).map((r) => r.value.row)).toEqual(['a', 'b']);
    expect((await table.list<{ row: string }>('p1', { fromRow: 'c', limit: 2 })).map((r) => r.value.row)).toEqual(['c', 'd']);
    // The partition value is escaped in the OData filter, not spliced in raw.
    expect((await table.list<{ row: string }>("it's")).map((r) => r.value.row)).toEqual(['quoted partition']);
    expect(await table.list('empty')).toEqual([]);
  });

  test('delete removes a row and ignores a row that is not there', async () => {
    const table = storageOf().table('ordered');
    await table.insert('del', 'x', 1);
    await table.delete('del', 'x');
    await table.delete('del', 'x');
    expect(await table.get('del', 'x')).toBeUndefined();
  });

  test('keys with characters Table Storage forbids are refused with a clear error before any call', async () => {
    const table = storageOf().table('ordered');
    await expect(table.insert('default', 'a/b', 1)).rejects.toThrow(BadRequestError);
    await expect(table.get('default', 'a#b')).rejects.toThrow(/row key "a#b" contains '#'; Table Storage keys may not contain/);
    await expect(table.list('tab\there')).rejects.toThrow(/partition key .* contains U\+0009/);
  });
});
