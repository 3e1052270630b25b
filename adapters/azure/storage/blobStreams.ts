import type { BlobClient, BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { ConcurrencyError, NotFoundError } from '../../../shared/errors';
import type { BlobInfo, BlobRef, BlobWriter } from '../../../shared/ports';
import { statusOf } from './restStatus';

/** Upload buffers: a block of 4 MiB, two in flight, so one writer holds about 10 MiB. */
const BLOCK_BYTES = 4 * 1024 * 1024;
const BLOCKS_IN_FLIGHT = 2;

/** A download as chunks; the SDK's retrying stream re-requests the same eTag if the connection drops. */
export async function readBlobStream(
  blob: BlobClient,
  ref: BlobRef,
  ifMatch?: string,
): Promise<{ chunks: AsyncIterable<Uint8Array>; info: BlobInfo }> {
  try {
    const response = await blob.download(0, undefined, ifMatch ? { conditions: { ifMatch } } : {});
    const body = response.readableStreamBody as (NodeJS.ReadableStream & AsyncIterable<Buffer>) | undefined;
    const info: BlobInfo = { ...ref, url: blob.url, eTag: response.etag ?? '', contentLength: response.contentLength ?? 0 };
    if (response.contentType) info.contentType = response.contentType;
    if (response.lastModified) info.lastModified = response.lastModified.toISOString();
    return { chunks: body ?? emptyChunks(), info };
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) {
      throw new NotFoundError('Blob', `${ref.container}/${ref.name}`, `Check the container and blob name at ${blob.url}`);
    }
    if (status === 412) throw new ConcurrencyError(`${ref.container}/${ref.name}`);
    throw error;
  }
}

async function* emptyChunks(): AsyncIterable<Uint8Array> {}

/**
 * Streams into a block blob: blocks are staged as the pass-through fills and the block
 * list is committed only on `close`, so readers never see a partial file and an abort
 * commits nothing (staged blocks expire on their own).
 */
export function openBlobWriter(
  container: ContainerClient,
  ref: BlobRef,
  ensureContainer: () => Promise<void>,
  contentType?: string,
): BlobWriter {
  const blob: BlockBlobClient = container.getBlockBlobClient(ref.name);
  const pass = new PassThrough({ highWaterMark: 1024 * 1024 });
  let bytes = 0;
  const upload = (async () => {
    await ensureContainer();
    return blob.uploadStream(pass, BLOCK_BYTES, BLOCKS_IN_FLIGHT, contentType ? { blobHTTPHeaders: { blobContentType: contentType } } : {});
  })();
  // A failed upload stops reading; destroying the stream wakes a writer waiting for 'drain'.
  upload.catch((error: unknown) => pass.destroy(error instanceof Error ? error : new Error(String(error))));
  return {
    async write(chunk) {
      if (pass.destroyed) await upload;
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      if (!pass.write(chunk)) await once(pass, 'drain');
    },
    async close() {
      pass.end();
      const response = await upload;
      const info: BlobInfo = { ...ref, url: blob.url, eTag: response.etag ?? '', contentLength: bytes };
      if (contentType) info.contentType = contentType;
      if (response.lastModified) info.lastModified = response.lastModified.toISOString();
      return info;
    },
    async abort(reason) {
      pass.destroy(reason);
      await upload.catch(() => {});
    },
  };
}
