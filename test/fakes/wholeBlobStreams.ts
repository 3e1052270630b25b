import { ConcurrencyError } from '../../shared/errors';
import type { BlobInfo, BlobRef, BlobWriter, DataStore } from '../../shared/ports';

/** Stream methods for an in-memory DataStore, on top of its whole-blob read and write. */
export async function readStreamViaRead(
  store: Pick<DataStore, 'read'>,
  ref: BlobRef,
  options: { ifMatch?: string } = {},
  chunkBytes = 64 * 1024,
): Promise<{ chunks: AsyncIterable<Uint8Array>; info: BlobInfo }> {
  const { content, info } = await store.read(ref);
  if (options.ifMatch !== undefined && options.ifMatch !== info.eTag) throw new ConcurrencyError(`${ref.container}/${ref.name}`);
  async function* chunks() {
    for (let at = 0; at < content.length; at += chunkBytes) yield content.subarray(at, at + chunkBytes);
  }
  return { chunks: chunks(), info };
}

/** Collects the pieces and writes the blob whole on close; an abort writes nothing. */
export function openWriteViaWrite(store: Pick<DataStore, 'write'>, ref: BlobRef, options: { contentType?: string } = {}): BlobWriter {
  const pieces: Buffer[] = [];
  return {
    async write(chunk) {
      pieces.push(Buffer.from(chunk));
    },
    close: () => store.write(ref, Buffer.concat(pieces), options),
    async abort() {
      pieces.length = 0;
    },
  };
}
