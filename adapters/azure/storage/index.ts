/**
 * @module Storage adapters (Blob, Table, Queue, event log) on the Azure SDKs; the same
 * code serves an Azure storage account and Azurite.
 */
export { BlobDataStore, type BlobDataStoreOptions } from './BlobDataStore';
export { TableStateTable } from './TableStateTable';
export { QueueMessageQueue, decodeBase64JsonMessage } from './QueueMessageQueue';
export { StorageEventLog, type StorageEventLogOptions } from './StorageEventLog';
export { createStorage, type CreateStorageOptions, type Storage, type StorageTarget } from './createStorage';
export { normalizeETag, sameETag } from '../../../shared/events/eTag';
export { validateTableKey } from './tableKey';
export { CHUNK_CHARS, MAX_CHUNKS } from './entityChunks';
