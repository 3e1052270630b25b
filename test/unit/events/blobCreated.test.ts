import { BadRequestError } from '../../../shared/errors';
import { normalizeETag, parseBlobCreated } from '../../../shared/events/blobCreated';

// Shapes of the samples in the Azure Event Grid docs (Blob Storage as a source).
const eventGridSample = {
  topic: '/subscriptions/{subscription-id}/resourceGroups/Storage/providers/Microsoft.Storage/storageAccounts/my-storage-account',
  subject: '/blobServices/default/containers/training-data/blobs/default/new file.csv',
  eventType: 'Microsoft.Storage.BlobCreated',
  eventTime: '2017-06-26T18:41:00.9584103Z',
  id: '831e1650-001e-001b-66ab-eeb76e069631',
  data: {
    api: 'PutBlockList',
    clientRequestId: '6d79dbfb-0e37-4fc4-981f-442c9ca65760',
    requestId: '831e1650-001e-001b-66ab-eeb76e000000',
    eTag: '0x8D4BCC2E4835CD0',
    contentType: 'text/csv',
    contentLength: 524288,
    blobType: 'BlockBlob',
    url: 'https://my-storage-account.blob.core.windows.net/training-data/default/new%20file.csv',
    sequencer: '00000000000004420000000000028963',
    storageDiagnostics: { batchId: 'b68529f3-68cd-4744-baa4-3c0498ec19f0' },
  },
  dataVersion: '',
  metadataVersion: '1',
};

const cloudEventSample = {
  source: eventGridSample.topic,
  subject: eventGridSample.subject,
  type: 'Microsoft.Storage.BlobCreated',
  time: eventGridSample.eventTime,
  id: eventGridSample.id,
  data: { ...eventGridSample.data, eTag: '"0x8D4BCC2E4835CD0"' },
  specversion: '1.0',
};

describe('parseBlobCreated', () => {
  it('reads the Event Grid schema sample', () => {
    expect(parseBlobCreated(eventGridSample)).toMatchObject({
      container: 'training-data',
      blobName: 'default/new file.csv',
      eTag: '0x8D4BCC2E4835CD0',
      contentLength: 524288,
      eventId: eventGridSample.id,
      api: 'PutBlockList',
    });
  });

  it('reads the CloudEvents schema sample and unquotes the eTag', () => {
    const parsed = parseBlobCreated(cloudEventSample);
    expect(parsed.eTag).toBe('0x8D4BCC2E4835CD0');
    expect(parsed.blobName).toBe('default/new file.csv');
  });

  it('says which field is wrong in a malformed event', () => {
    const { data, ...noData } = eventGridSample;
    void data;
    expect(() => parseBlobCreated(noData)).toThrow(BadRequestError);
    expect(() => parseBlobCreated(noData)).toThrow(/event\.data/);
    expect(() => parseBlobCreated({ ...eventGridSample, eventType: 'Microsoft.Storage.BlobDeleted' })).toThrow(/expected event type Microsoft.Storage.BlobCreated/);
    expect(() => parseBlobCreated({ ...eventGridSample, subject: '/nope' })).toThrow(/event\.subject/);
    expect(() => parseBlobCreated('garbage')).toThrow(/not a BlobCreated event/);
  });

  it('normalizes quoted and weak eTags', () => {
    expect(normalizeETag('"0x1"')).toBe('0x1');
    expect(normalizeETag('W/"0x1"')).toBe('0x1');
    expect(normalizeETag('0x1')).toBe('0x1');
  });
});
