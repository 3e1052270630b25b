import { randomUUID } from 'node:crypto';

/** An event in the Event Grid schema, as Event Grid posts it to a webhook. */
export interface EventGridSchemaEvent {
  topic: string;
  subject: string;
  eventType: string;
  eventTime: string;
  id: string;
  data: Record<string, unknown>;
  dataVersion: string;
  metadataVersion: string;
}

export type BlobCreatedApi = 'PutBlob' | 'PutBlockList' | 'CopyBlob';
export type BlobType = 'BlockBlob' | 'PageBlob' | 'AppendBlob';

export interface BlobWrite {
  account: string;
  container: string;
  blobName: string;
  api: BlobCreatedApi;
  eTag: string;
  contentType: string;
  contentLength: number;
  blobType: BlobType;
  /** Public URL of the blob (through the blob port clients use). */
  url: string;
  requestId?: string;
  clientRequestId?: string;
}

export interface SynthesizeOptions {
  /** @default a fixed local subscription id and resource group `autopilot-local` */
  subscriptionId?: string;
  resourceGroup?: string;
  /** @default new Date() */
  now?: Date;
  /** @default crypto.randomUUID */
  newId?: () => string;
}

let sequence = 0n;

/**
 * A sequencer like Storage's: a fixed-width string that orders events of the same blob
 * when compared as strings (time in ms, then a per-process counter).
 */
export function nextSequencer(now = Date.now()): string {
  sequence += 1n;
  const value = (BigInt(now) << 20n) + (sequence & 0xfffffn);
  return value.toString(16).toUpperCase().padStart(32, '0');
}

/** Storage events carry the eTag quoted ("\"0x8D...\""); listings often return it bare. */
export function quoteETag(eTag: string): string {
  const bare = unquoteETag(eTag);
  return `"${bare}"`;
}

export function unquoteETag(eTag: string): string {
  return eTag.replace(/^W\//, '').replace(/^"+|"+$/g, '');
}

export function storageTopic(account: string, options: SynthesizeOptions = {}): string {
  const subscription = options.subscriptionId ?? '00000000-0000-0000-0000-000000000000';
  const group = options.resourceGroup ?? 'autopilot-local';
  return `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.Storage/storageAccounts/${account}`;
}

export function blobSubject(container: string, blobName: string): string {
  return `/blobServices/default/containers/${container}/blobs/${blobName}`;
}

/** Builds `Microsoft.Storage.BlobCreated` exactly in the shape of the Azure docs sample. */
export function synthesizeBlobCreatedEvent(write: BlobWrite, options: SynthesizeOptions = {}): EventGridSchemaEvent {
  const newId = options.newId ?? randomUUID;
  const now = options.now ?? new Date();
  return {
    topic: storageTopic(write.account, options),
    subject: blobSubject(write.container, write.blobName),
    eventType: 'Microsoft.Storage.BlobCreated',
    eventTime: now.toISOString(),
    id: newId(),
    data: {
      api: write.api,
      clientRequestId: write.clientRequestId ?? newId(),
      requestId: write.requestId ?? newId(),
      eTag: quoteETag(write.eTag),
      contentType: write.contentType,
      contentLength: write.contentLength,
      blobType: write.blobType,
      url: write.url,
      sequencer: nextSequencer(now.getTime()),
      storageDiagnostics: { batchId: newId() },
    },
    dataVersion: '',
    metadataVersion: '1',
  };
}

/** Public URL of a blob: path-style, as Azurite and the storage SDK form it. */
export function blobUrl(baseUrl: string, account: string, container: string, blobName: string): string {
  const path = blobName.split('/').map(encodeURIComponent).join('/');
  return `${baseUrl.replace(/\/+$/, '')}/${account}/${container}/${path}`;
}
