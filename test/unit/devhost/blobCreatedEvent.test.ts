import { blobUrl, synthesizeBlobCreatedEvent } from '../../../devhost/blobCreatedEvent';
import { classifyBlobWrite } from '../../../devhost/classifyBlobWrite';
import { BLOB_CREATED_DOCS_SAMPLE as DOCS_SAMPLE } from '../../fakes/eventGrid/blobCreatedSample';

/** Field names and value types, recursively: what a consumer's parser depends on. */
function shape(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value;
  return Object.fromEntries(
    Object.entries(value)
      .map(([k, v]) => [k, shape(v)])
      .sort(),
  );
}

describe('synthesizeBlobCreatedEvent', () => {
  const write = {
    account: 'devstoreaccount1',
    container: 'training-data',
    blobName: 'default/data 1.csv',
    api: 'PutBlob' as const,
    eTag: '0x8DC0FFEE',
    contentType: 'text/csv',
    contentLength: 1234,
    blobType: 'BlockBlob' as const,
    url: blobUrl('http://127.0.0.1:10000', 'devstoreaccount1', 'training-data', 'default/data 1.csv'),
  };

  it('has exactly the field names and types of the Azure docs sample', () => {
    expect(shape(synthesizeBlobCreatedEvent(write))).toEqual(shape(DOCS_SAMPLE));
  });

  it('fills subject, topic, quoted eTag and url for the local account', () => {
    const event = synthesizeBlobCreatedEvent(write, { now: new Date('2024-01-02T03:04:05Z') });
    expect(event.subject).toBe('/blobServices/default/containers/training-data/blobs/default/data 1.csv');
    expect(event.topic).toMatch(
      /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft.Storage\/storageAccounts\/devstoreaccount1$/,
    );
    expect(event.eventTime).toBe('2024-01-02T03:04:05.000Z');
    expect(event.data).toMatchObject({
      eTag: '"0x8DC0FFEE"',
      url: 'http://127.0.0.1:10000/devstoreaccount1/training-data/default/data%201.csv',
    });
  });

  it('gives later events of a blob a larger sequencer of the same width', () => {
    const first = synthesizeBlobCreatedEvent(write).data['sequencer'] as string;
    const second = synthesizeBlobCreatedEvent(write).data['sequencer'] as string;
    expect(second.length).toBe(first.length);
    expect(second > first).toBe(true);
  });
});

describe('classifyBlobWrite', () => {
  const url = '/devstoreaccount1/training-data/default/a%20b.csv';

  it('recognises Put Blob, Put Block List and Copy Blob', () => {
    expect(classifyBlobWrite('PUT', url, { 'x-ms-blob-type': 'BlockBlob' })).toEqual({
      api: 'PutBlob',
      account: 'devstoreaccount1',
      container: 'training-data',
      blobName: 'default/a b.csv',
      blobType: 'BlockBlob',
    });
    expect(classifyBlobWrite('PUT', `${url}?comp=blocklist`, {})?.api).toBe('PutBlockList');
    expect(classifyBlobWrite('PUT', url, { 'x-ms-copy-source': 'http://x/y' })?.api).toBe('CopyBlob');
  });

  it('keeps the blob name as Azurite stores it: empty segments and a trailing slash included', () => {
    // Dropping them named another blob (`default/x.csv`), which the event source then failed to read.
    expect(classifyBlobWrite('PUT', '/devstoreaccount1/training-data/default//x.csv', { 'x-ms-blob-type': 'BlockBlob' })?.blobName).toBe(
      'default//x.csv',
    );
    expect(classifyBlobWrite('PUT', '/devstoreaccount1/training-data/default/dir/', { 'x-ms-blob-type': 'BlockBlob' })?.blobName).toBe(
      'default/dir/',
    );
    expect(classifyBlobWrite('PUT', '/devstoreaccount1/training-data/', { 'x-ms-blob-type': 'BlockBlob' })).toBeUndefined();
    expect(classifyBlobWrite('PUT', '/devstoreaccount1//x.csv', { 'x-ms-blob-type': 'BlockBlob' })).toBeUndefined();
  });

  it('ignores Put Block, Put Page, Append Block, metadata and container calls and reads', () => {
    expect(classifyBlobWrite('PUT', `${url}?comp=block&blockid=AAAA`, {})).toBeUndefined();
    expect(classifyBlobWrite('PUT', `${url}?comp=page`, { 'x-ms-blob-type': 'PageBlob' })).toBeUndefined();
    expect(classifyBlobWrite('PUT', `${url}?comp=appendblock`, {})).toBeUndefined();
    expect(classifyBlobWrite('PUT', `${url}?comp=metadata`, {})).toBeUndefined();
    expect(classifyBlobWrite('PUT', '/devstoreaccount1/training-data?restype=container', {})).toBeUndefined();
    expect(classifyBlobWrite('GET', url, { 'x-ms-blob-type': 'BlockBlob' })).toBeUndefined();
  });
});
