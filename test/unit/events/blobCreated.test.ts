import { BadRequestError } from '../../../shared/errors';
import { normalizeETag, parseBlobCreated } from '../../../shared/events/blobCreated';
import { BLOB_CREATED_DOCS_SAMPLE } from '../../fakes/eventGrid/blobCreatedSample';

// The Azure docs sample (Blob Storage as an Event Grid source) for a CSV under training-data/, eTag unquoted.
const eventGridSample = {
  ...BLOB_CREATED_DOCS_SAMPLE,
  subject: '/blobServices/default/containers/training-data/blobs/default/new file.csv',
  data: {
    ...BLOB_CREATED_DOCS_SAMPLE.data,
    eTag: '0x8D4BCC2E4835CD0',
    contentType: 'text/csv',
    url: 'https://my-storage-account.blob.core.windows.net/training-data/default/new%20file.csv',
  },
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
