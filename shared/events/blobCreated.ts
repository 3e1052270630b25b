import { z } from 'zod';
import { BadRequestError } from '../errors';
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

const EventGridShape = z.looseObject({
  id: z.string().min(1),
  eventType: z.string(),
  subject: z.string(),
  eventTime: z.string(),
  topic: z.string().optional(),
  data: BlobCreatedData,
});

const CloudEventShape = z.looseObject({
  id: z.string().min(1),
  type: z.string(),
  subject: z.string(),
  time: z.string().optional(),
  source: z.string(),
  specversion: z.string(),
  data: BlobCreatedData,
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
  const cloud = CloudEventShape.safeParse(event);
  const grid = cloud.success ? undefined : EventGridShape.safeParse(event);
  if (!cloud.success && !grid?.success) {
    const issue = grid?.error.issues[0] ?? cloud.error?.issues[0];
    throw new BadRequestError(
      `not a BlobCreated event in the Event Grid or CloudEvents schema (${issue?.message ?? 'unknown shape'})`,
      issue ? `event.${issue.path.join('.')}` : 'event',
    );
  }
  const e = cloud.success
    ? { id: cloud.data.id, type: cloud.data.type, subject: cloud.data.subject, time: cloud.data.time, data: cloud.data.data }
    : { id: grid!.data!.id, type: grid!.data!.eventType, subject: grid!.data!.subject, time: grid!.data!.eventTime, data: grid!.data!.data };
  if (e.type !== BLOB_CREATED) {
    throw new BadRequestError(`expected event type ${BLOB_CREATED}, got ${e.type}`, 'event.type');
  }
  const match = SUBJECT.exec(e.subject);
  if (!match) {
    throw new BadRequestError(
      `subject must look like /blobServices/default/containers/<container>/blobs/<name>, got ${e.subject}`,
      'event.subject',
    );
  }
  const eTag = e.data.eTag ? normalizeETag(e.data.eTag) : '';
  if (!eTag) throw new BadRequestError('BlobCreated event without an eTag', 'event.data.eTag');
  return {
    container: match[1]!,
    blobName: match[2]!,
    url: e.data.url,
    eTag,
    contentLength: e.data.contentLength,
    contentType: e.data.contentType,
    api: e.data.api,
    eventId: e.id,
    eventTime: e.time ?? new Date(0).toISOString(),
  };
}
