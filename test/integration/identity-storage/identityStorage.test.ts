import type { TokenCredential } from '@azure/core-auth';
import { CredentialUnavailableError } from '@azure/identity';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage, decodeBase64JsonMessage } from '../../../adapters/azure/storage';
import { resolveStorageTarget } from '../../../adapters/storageConnection';
import { StorageCredentialError } from '../../../adapters/storageCredential';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { selfSignedCert } from '../../fakes/armMl/selfSignedCert';
import { unsignedJwtCredential } from './unsignedJwtCredential';
import { anEvent, releasePayload } from '../../fakes/outgoingEvents';

let azurite: RunningAzurite;
let cert: string;
let dir: string;

beforeAll(async () => {
  const tls = selfSignedCert();
  cert = tls.cert;
  dir = mkdtempSync(join(tmpdir(), 'identity-storage-'));
  writeFileSync(join(dir, 'cert.pem'), tls.cert);
  writeFileSync(join(dir, 'key.pem'), tls.key);
  azurite = await startAzurite({ https: { certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem') }, oauth: 'basic' });
});

afterAll(async () => {
  await azurite?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The identity-based app settings for the emulator, as a user would set them for a sovereign cloud. */
function identitySettings(): NodeJS.ProcessEnv {
  const uri = (port: number) => `https://127.0.0.1:${port}/devstoreaccount1`;
  return {
    AzureWebJobsStorage__blobServiceUri: uri(azurite.ports.blob),
    AzureWebJobsStorage__queueServiceUri: uri(azurite.ports.queue),
    AzureWebJobsStorage__tableServiceUri: uri(azurite.ports.table),
    AzureWebJobsStorage__credential: 'managedidentity',
  };
}

function storageWith(credential: TokenCredential) {
  return createStorage(resolveStorageTarget(identitySettings(), { createCredential: () => credential }), { trustedCa: cert });
}

describe('storage adapters with an Entra ID identity (Azurite over HTTPS with OAuth)', () => {
  test('blobs, queue messages, table rows and the event log work with a bearer token for https://storage.azure.com', async () => {
    const credential = unsignedJwtCredential();
    const storage = storageWith(credential);

    const written = await storage.data.write({ container: 'training-data', name: 'default/a.csv' }, 'x,y\n1,2\n', {
      contentType: 'text/csv',
    });
    expect(written.url).toBe(`https://127.0.0.1:${azurite.ports.blob}/devstoreaccount1/training-data/default/a.csv`);
    expect((await storage.data.read({ container: 'training-data', name: 'default/a.csv' })).content.toString()).toBe('x,y\n1,2\n');

    await storage.queue<{ releaseId: string }>('autopilot-steps').send({ releaseId: 'r1' });
    const received = await storage.clients.queue.getQueueClient('autopilot-steps').receiveMessages();
    expect(decodeBase64JsonMessage(received.receivedMessageItems[0]!.messageText)).toEqual({ releaseId: 'r1' });

    const table = storage.table('autopilot');
    const row = await table.insert('releases', 'r1', { status: 'running' });
    await table.replace('releases', 'r1', { status: 'succeeded' }, row.etag);
    expect((await table.get<{ status: string }>('releases', 'r1'))?.value).toEqual({ status: 'succeeded' });

    const event = anEvent('autopilot.ReleaseQueued', releasePayload({ status: 'queued', stage: 'validate' }), {
      id: 'e1',
      time: new Date().toISOString(),
    });
    await storage.events.publish([event]);
    expect(await storage.events.recent(5)).toEqual([event]);

    expect(new Set(credential.scopes)).toEqual(new Set(['https://storage.azure.com/.default']));
  });

  test('without a token every storage call fails with StorageCredentialError saying how to fix it', async () => {
    const storage = storageWith({
      getToken: async () => {
        throw new CredentialUnavailableError('ManagedIdentityCredential: no managed identity endpoint found');
      },
    });
    const account = `127.0.0.1:${azurite.ports.blob}`;

    const write = storage.data.write({ container: 'training-data', name: 'b.csv' }, 'x\n1\n');
    await expect(write).rejects.toThrow(StorageCredentialError);
    await expect(write).rejects.toThrow(
      new RegExp(
        `storage account ${account} \\(AzureWebJobsStorage__\\* settings\\): ManagedIdentityCredential: no managed identity endpoint found.*az login.*Storage Queue Data Contributor`,
      ),
    );
    await expect(storage.table('autopilot').insert('p', 'r', {})).rejects.toThrow(StorageCredentialError);
    await expect(storage.queue('autopilot-steps').send({})).rejects.toThrow(StorageCredentialError);
  });

  test('the emulator really checks the token: one for another audience is refused with 403', async () => {
    const storage = storageWith(unsignedJwtCredential({ audience: 'https://management.azure.com' }));
    await expect(storage.data.write({ container: 'training-data', name: 'c.csv' }, 'x\n')).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthenticationFailed',
    });
  });
});
