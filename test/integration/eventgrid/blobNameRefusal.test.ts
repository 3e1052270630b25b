import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { generateCsv } from '../../../examples/tabular/generate';
import { startTestStack, waitFor, type TestStack } from '../e2e/localStack';

/**
 * Issue 11, finding 9, on the running stack: a blob name whose `..` segment points out of the
 * pipeline's prefix (`default/../elsewhere/x.csv` is read by storage as `elsewhere/x.csv`)
 * starts no release, whether it comes in an Event Grid event or in `POST /api/releases`.
 */
const CRAFTED = 'default/../elsewhere/x.csv';

let stack: TestStack;
let container: ContainerClient;

beforeAll(async () => {
  stack = await startTestStack();
  container = BlobServiceClient.fromConnectionString(stack.connectionString).getContainerClient('training-data');
  await container.createIfNotExists();
  // The blob the crafted name resolves to exists and holds good data: only the name is wrong.
  const csv = generateCsv({ rows: 300, seed: 9 });
  await container.getBlockBlobClient('elsewhere/x.csv').upload(csv, Buffer.byteLength(csv));
});

afterAll(async () => {
  await stack?.stop();
});

async function releases(): Promise<{ id: string; data?: { blob: string } }[]> {
  const response = await fetch(`${stack.api}/releases`, { headers: { authorization: `Bearer ${stack.token()}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { releases: { id: string; data?: { blob: string } }[] }).releases;
}

it('POST /api/releases on a blob name with a `..` segment answers 400 naming the field, and starts no release', async () => {
  for (const blob of [CRAFTED, 'default/./x.csv', 'default//x.csv', 'default/%2e%2e/elsewhere/x.csv']) {
    const response = await fetch(`${stack.api}/releases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: 'default', blob }),
    });
    const body = (await response.json()) as { error?: { code: string; message: string; where?: string } };
    expect({ blob, status: response.status, code: body.error?.code, where: body.error?.where }).toEqual({
      blob,
      status: 400,
      code: 'BadRequest',
      where: 'blob',
    });
    expect(body.error?.message).toContain(`blob name ${JSON.stringify(blob)}`);
  }
  expect(await releases()).toEqual([]);
});

it('an Event Grid BlobCreated whose subject has a `..` segment is acknowledged, logged with the field and the fix, and starts no release', async () => {
  const properties = await container.getBlobClient('elsewhere/x.csv').getProperties();
  const event = {
    id: 'evt-dot-segments',
    topic:
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/devstoreaccount1',
    subject: `/blobServices/default/containers/training-data/blobs/${CRAFTED}`,
    eventType: 'Microsoft.Storage.BlobCreated',
    eventTime: new Date().toISOString(),
    data: {
      api: 'PutBlob',
      eTag: properties.etag,
      contentType: 'text/csv',
      contentLength: properties.contentLength,
      blobType: 'BlockBlob',
      url: `${container.url}/${CRAFTED}`,
    },
    dataVersion: '',
    metadataVersion: '1',
  };
  const response = await fetch(`${stack.functions}/runtime/webhooks/eventgrid?functionName=blobCreated&code=${stack.eventGridKey()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification' },
    body: JSON.stringify([event]),
  });
  // Redelivering a malformed event cannot help, so it is acknowledged (as before) and reported.
  expect(response.status).toBe(200);
  // The webhook answers once the function has run: had it started a release, it would be listed now.
  expect(await releases()).toEqual([]);
  await waitFor('the refusal in the host log', async () => stack.output().includes('evt-dot-segments') || undefined);
  expect(stack.output()).toMatch(
    /ignored malformed BlobCreated event evt-dot-segments: event\.subject: blob name "default\/\.\.\/elsewhere\/x\.csv" has a '\.\.' path segment.*name the blob without '\.' and '\.\.' segments/,
  );
});
