import type { IncomingHttpHeaders } from 'node:http';
import type { BlobCreatedApi, BlobType } from './blobCreatedEvent';

export interface ClassifiedBlobWrite {
  api: BlobCreatedApi;
  account: string;
  container: string;
  blobName: string;
  /** From `x-ms-blob-type` when the request says it (Put Blob). */
  blobType?: BlobType;
}

const BLOB_TYPES: Record<string, BlobType> = { blockblob: 'BlockBlob', pageblob: 'PageBlob', appendblob: 'AppendBlob' };

/**
 * Recognises the blob REST calls after which Storage emits BlobCreated: Put Blob,
 * Put Block List and Copy Blob (also Put Blob From URL). Put Block, Put Page, Append
 * Block, metadata/properties/lease/tier calls and container calls emit nothing.
 * Path-style URLs only (`/<account>/<container>/<blob>`), as used with Azurite.
 */
export function classifyBlobWrite(method: string, rawUrl: string, headers: IncomingHttpHeaders): ClassifiedBlobWrite | undefined {
  if (method.toUpperCase() !== 'PUT') return undefined;
  const url = new URL(rawUrl, 'http://localhost');
  if (url.searchParams.has('restype')) return undefined;
  // Empty segments are part of the name Azurite stores (`a//b`, `dir/`): keep them, or the event names another blob.
  const [, accountPart, containerPart, ...blobParts] = url.pathname.split('/');
  if (!accountPart || !containerPart || blobParts.join('/') === '') return undefined;
  let account: string;
  let container: string;
  let blobName: string;
  try {
    account = decodeURIComponent(accountPart);
    container = decodeURIComponent(containerPart);
    blobName = blobParts.map(decodeURIComponent).join('/');
  } catch {
    return undefined;
  }
  const comp = url.searchParams.get('comp')?.toLowerCase();
  const typeHeader = headerValue(headers['x-ms-blob-type'])?.toLowerCase();
  const blobType = typeHeader ? BLOB_TYPES[typeHeader] : undefined;
  if (comp === 'blocklist') return { api: 'PutBlockList', account, container, blobName, blobType: 'BlockBlob' };
  if (comp !== undefined) return undefined;
  if (headerValue(headers['x-ms-copy-source'])) {
    // Put Blob From URL carries a blob type; Copy Blob (async or sync) does not.
    return blobType ? { api: 'PutBlob', account, container, blobName, blobType } : { api: 'CopyBlob', account, container, blobName };
  }
  if (blobType) return { api: 'PutBlob', account, container, blobName, blobType };
  return undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
