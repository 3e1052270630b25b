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
    expect(() => parseBlobCreated({ ...eventGridSample, eventType: 'Microsoft.Storage.BlobDeleted' })).toThrow(
      /expected event type Microsoft.Storage.BlobCreated/,
    );
    expect(() => parseBlobCreated({ ...eventGridSample, subject: '/nope' })).toThrow(/event\.subject/);
    expect(() => parseBlobCreated('garbage')).toThrow(/not a BlobCreated event/);
  });

  /** The event Storage would send for `name`, subject and url naming the same blob. */
  const eventFor = (
    name: string,
    url = `https://acct.blob.core.windows.net/training-data/${name.split('/').map(encodeURIComponent).join('/')}`,
  ) => ({
    ...eventGridSample,
    subject: `/blobServices/default/containers/training-data/blobs/${name}`,
    data: { ...eventGridSample.data, url },
  });

  it.each([
    ['default/../p5/x.csv', /'\.\.' path segment/],
    ['default/./x.csv', /'\.' path segment/],
    ['default//x.csv', /empty path segment/],
    ['default\\x.csv', /backslash/],
    ['default/ctrl\u0001char.csv', /control character U\+0001/],
    ['default/%2e%2e/p5/x.csv', /percent-encoded/],
    ['default/dir/', /ends with '\/'/],
  ])('refuses the blob name %j in the subject before anything matches it', (name, why) => {
    for (const event of [
      eventFor(name),
      { ...cloudEventSample, subject: eventFor(name).subject, data: { ...cloudEventSample.data, url: eventFor(name).data.url } },
    ]) {
      expect(() => parseBlobCreated(event)).toThrow(BadRequestError);
      expect(() => parseBlobCreated(event)).toThrow(/^event\.subject: blob name /);
      expect(() => parseBlobCreated(event)).toThrow(why);
    }
  });

  it('refuses a container name URL handling would resolve', () => {
    const event = { ...eventFor('default/x.csv'), subject: '/blobServices/default/containers/../blobs/default/x.csv' };
    expect(() => parseBlobCreated(event)).toThrow(/^event\.subject: container name "\.\." is not valid/);
  });

  it('accepts a url that names the blob of the subject: encoded or not, virtual-host or path-style (Azurite)', () => {
    const name = 'default/new file #1.csv';
    for (const url of [
      'https://acct.blob.core.windows.net/training-data/default/new%20file%20%231.csv',
      'http://127.0.0.1:10000/devstoreaccount1/training-data/default/new%20file%20%231.csv',
      'https://acct.blob.core.windows.net/training-data/default/new file #1.csv',
    ]) {
      expect(parseBlobCreated(eventFor(name, url)).blobName).toBe(name);
    }
  });

  it.each([
    ['names another blob', 'https://acct.blob.core.windows.net/training-data/p5/x.csv'],
    ['names another container', 'https://acct.blob.core.windows.net/other-data/default/x.csv'],
    ['names a blob one folder deeper', 'https://acct.blob.core.windows.net/training-data/sub/default/x.csv'],
    ['has dot segments that resolve to another blob', 'https://acct.blob.core.windows.net/training-data/default/%2e%2e/p5/x.csv'],
    ['is not a URL', 'default/x.csv'],
  ])('refuses an event whose url %s, as the subject names training-data/default/x.csv', (_, url) => {
    const event = eventFor('default/x.csv', url);
    expect(() => parseBlobCreated(event)).toThrow(BadRequestError);
    expect(() => parseBlobCreated(event)).toThrow(
      /^event\.data\.url: .*does not name the blob of the subject \(training-data\/default\/x\.csv\)/,
    );
  });

  it('normalizes quoted and weak eTags', () => {
    expect(normalizeETag('"0x1"')).toBe('0x1');
    expect(normalizeETag('W/"0x1"')).toBe('0x1');
    expect(normalizeETag('0x1')).toBe('0x1');
  });
});
