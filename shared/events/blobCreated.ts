import { z } from 'zod';
import { BadRequestError } from '../errors';
import { checkBlobName, checkContainerName } from './blobName';
import { urlNamesBlob } from './blobUrl';
import { parseEnvelope, parseEventData } from './envelope';
import { normalizeETag } from './eTag';

export { normalizeETag } from './eTag';

/**
 * `Microsoft.Storage.BlobCreated` as Azure sends it, in the Event Grid schema
 * (`eventType`, `eventTime`, `topic`) or the CloudEvents 1.0 schema (`type`, `time`,
 * `source`). Shapes follow the Event Grid docs samples, not the SDK's typed interfaces.
 */
const BlobCreatedData = z.looseObject({
  api: z.string().optional(),
  eTag: z.string().optional(),
  contentType: z.string().optional(),
  contentLength: z.number().optional(),
  blobType: z.string().optional(),
  url: z.string().min(1),
});

export interface DataArrival {
  container: string;
  blobName: string;
  url: string;
  /** Without quotes: Storage sends it quoted in some places and bare in others. */
  eTag: string;
  contentLength?: number;
  contentType?: string;
  api?: string;
  eventId: string;
  eventTime: string;
}

export const BLOB_CREATED = 'Microsoft.Storage.BlobCreated';
const SUBJECT = /^\/blobServices\/default\/containers\/([^/]+)\/blobs\/(.+)$/;

/** Turns one delivered event into a DataArrival, or says exactly what is wrong with it. */
export function parseBlobCreated(event: unknown): DataArrival {
  const e = parseEnvelope(event, 'a BlobCreated event');
  if (e.type !== BLOB_CREATED) {
    throw new BadRequestError(`expected event type ${BLOB_CREATED}, got ${e.type}`, 'event.type');
  }
  const match = SUBJECT.exec(e.subject ?? '');
  if (!match) {
    throw new BadRequestError(
      `subject must look like /blobServices/default/containers/<container>/blobs/<name>, got ${e.subject ?? 'none'}`,
      'event.subject',
    );
  }
  // The subject's name is the one matched to a pipeline and read: refused before either if URLs would resolve it.
  const container = checkContainerName(match[1]!, 'event.subject');
  const blobName = checkBlobName(match[2]!, 'event.subject');
  const data = parseEventData(BlobCreatedData, e);
  if (!urlNamesBlob(data.url, container, blobName)) {
    throw new BadRequestError(
      `${JSON.stringify(data.url.slice(0, 300))} does not name the blob of the subject (${container}/${blobName}); Storage names the same blob in both: check what sent this event`,
      'event.data.url',
    );
  }
  const eTag = data.eTag ? normalizeETag(data.eTag) : '';
  if (!eTag) throw new BadRequestError('BlobCreated event without an eTag', 'event.data.eTag');
  return {
    container,
    blobName,
    url: data.url,
    eTag,
    contentLength: data.contentLength,
    contentType: data.contentType,
    api: data.api,
    eventId: e.id,
    eventTime: e.time ?? new Date(0).toISOString(),
  };
}
