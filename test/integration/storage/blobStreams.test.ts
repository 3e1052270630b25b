import { ConcurrencyError, NotFoundError } from '../../../shared/errors';
import { useAzuriteStorage } from './azuriteStorage';

const azurite = useAzuriteStorage();
const data = () => azurite.storage().data;

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString();
}

describe('BlobDataStore streams on Azurite', () => {
  test('openWrite creates the container, commits the pieces on close, and readStream gives them back', async () => {
    const ref = { container: 'stream-container', name: 'releases/r1/train.csv' };
    const writer = data().openWrite(ref, { contentType: 'text/csv' });
    const piece = 'x,label\n' + '1,yes\n'.repeat(200_000); // 1.2 MB: more than one pass-through buffer
    await writer.write(piece);
    await writer.write(Buffer.from('2,no\n'));
    const info = await writer.close();
    expect(info).toMatchObject({ ...ref, contentLength: piece.length + 5, contentType: 'text/csv', eTag: expect.stringMatching(/^"0x/) });

    const { chunks, info: read } = await data().readStream(ref, { ifMatch: info.eTag });
    expect(read.eTag).toBe(info.eTag);
    expect(await collect(chunks)).toBe(piece + '2,no\n');
  });

  test('readStream pinned to an old eTag throws ConcurrencyError; a missing blob NotFoundError', async () => {
    const ref = { container: 'stream-container', name: 'default/overwritten.csv' };
    const first = await data().write(ref, 'a,label\n1,yes\n');
    await data().write(ref, 'a,label\n2,no\n');
    await expect(data().readStream(ref, { ifMatch: first.eTag })).rejects.toThrow(ConcurrencyError);
    await expect(data().readStream({ container: 'stream-container', name: 'nope.csv' })).rejects.toThrow(NotFoundError);
  });

  test('abort commits nothing: a new blob does not appear, an existing one keeps its content', async () => {
    const fresh = { container: 'stream-container', name: 'aborted/new.csv' };
    const writer = data().openWrite(fresh);
    await writer.write('x'.repeat(5 * 1024 * 1024)); // past one 4 MiB block: something was staged
    await writer.abort(new Error('the gate refused the file'));
    expect(await data().getInfo(fresh)).toBeUndefined();

    const existing = { container: 'stream-container', name: 'aborted/old.csv' };
    await data().write(existing, 'old');
    const again = data().openWrite(existing);
    await again.write('new content');
    await again.abort(new Error('stop'));
    expect((await data().read(existing)).content.toString()).toBe('old');
  });
});
