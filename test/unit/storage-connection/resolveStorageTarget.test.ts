import type { TokenCredential } from '@azure/core-auth';
import { CredentialUnavailableError } from '@azure/identity';
import { resolveStorageTarget, StorageSettingsError } from '../../../adapters/storageConnection';
import { StorageCredentialError } from '../../../adapters/storageCredential';

const ACCOUNT_KEY = 'c2VjcmV0LWtleS1kby1ub3QtbG9n';
const staticToken: TokenCredential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }) };

function identity(env: NodeJS.ProcessEnv, seen: { managedIdentityClientId?: string }[] = []) {
  const target = resolveStorageTarget(env, { createCredential: (o) => (seen.push(o), staticToken) });
  if (!('accountUrl' in target)) throw new Error('expected an identity-based target');
  return target;
}

function errorOf(fn: () => unknown): StorageSettingsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StorageSettingsError);
    return error as StorageSettingsError;
  }
  throw new Error('expected a StorageSettingsError');
}

describe('resolveStorageTarget', () => {
  it('uses a connection string as given, and UseDevelopmentStorage=true as the Azurite account', () => {
    const cs = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net`;
    expect(resolveStorageTarget({ AzureWebJobsStorage: cs })).toEqual({ connectionString: cs });
    const dev = resolveStorageTarget({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
    expect(dev).toEqual({ connectionString: expect.stringContaining('BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1') });
  });

  it('prefers the connection string when identity settings are also present, as the Functions host does', () => {
    expect(
      resolveStorageTarget({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', AzureWebJobsStorage__accountName: 'acct01' }),
    ).toHaveProperty('connectionString');
  });

  it('derives the blob, queue and table URLs from AzureWebJobsStorage__accountName', () => {
    expect(identity({ AzureWebJobsStorage__accountName: 'mlopsdata01' }).accountUrl).toEqual({
      blob: 'https://mlopsdata01.blob.core.windows.net',
      queue: 'https://mlopsdata01.queue.core.windows.net',
      table: 'https://mlopsdata01.table.core.windows.net',
    });
  });

  it('takes explicit service URIs, each overriding the one derived from the account name', () => {
    const env = {
      AzureWebJobsStorage__blobServiceUri: 'https://acct.blob.core.usgovcloudapi.net/',
      AzureWebJobsStorage__queueServiceUri: 'https://acct.queue.core.usgovcloudapi.net',
      AzureWebJobsStorage__tableServiceUri: 'https://acct.table.core.usgovcloudapi.net',
    };
    expect(identity(env).accountUrl).toEqual({
      blob: 'https://acct.blob.core.usgovcloudapi.net',
      queue: 'https://acct.queue.core.usgovcloudapi.net',
      table: 'https://acct.table.core.usgovcloudapi.net',
    });
    expect(
      identity({
        AzureWebJobsStorage__accountName: 'acct01',
        AzureWebJobsStorage__blobServiceUri: 'https://127.0.0.1:10000/devstoreaccount1',
      }).accountUrl,
    ).toMatchObject({ blob: 'https://127.0.0.1:10000/devstoreaccount1', queue: 'https://acct01.queue.core.windows.net' });
  });

  it('reads another connection name when asked', () => {
    const target = resolveStorageTarget(
      { DataStorage__accountName: 'other01' },
      { connection: 'DataStorage', createCredential: () => staticToken },
    );
    expect(target).toMatchObject({ accountUrl: { blob: 'https://other01.blob.core.windows.net' } });
  });

  it('passes AzureWebJobsStorage__clientId to the credential as the user-assigned managed identity', () => {
    const seen: { managedIdentityClientId?: string }[] = [];
    identity(
      {
        AzureWebJobsStorage__accountName: 'acct01',
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: '11111111-2222-3333-4444-555555555555',
      },
      seen,
    );
    identity({ AzureWebJobsStorage__accountName: 'acct01' }, seen);
    expect(seen).toEqual([{ managedIdentityClientId: '11111111-2222-3333-4444-555555555555' }, {}]);
  });

  it('turns a credential failure into a StorageCredentialError naming the account, the fix and the roles', async () => {
    const failing = resolveStorageTarget(
      { AzureWebJobsStorage__accountName: 'acct01' },
      {
        createCredential: () => ({
          getToken: async () => {
            throw new CredentialUnavailableError('no managed identity endpoint');
          },
        }),
      },
    ) as { credential: TokenCredential };
    const attempt = failing.credential.getToken('https://storage.azure.com/.default');
    await expect(attempt).rejects.toThrow(StorageCredentialError);
    await expect(attempt).rejects.toThrow(
      /acct01\.blob\.core\.windows\.net.*no managed identity endpoint.*az login.*Storage Blob Data Owner/,
    );
    await expect(attempt).rejects.toMatchObject({ retryable: false });
  });

  it('says which settings to add when storage is not configured at all', () => {
    const error = errorOf(() => resolveStorageTarget({}));
    expect(error.setting).toBe('AzureWebJobsStorage');
    expect(error.message).toMatch(/set AzureWebJobsStorage to a connection string.*AzureWebJobsStorage__accountName.*__blobServiceUri/);
  });

  it('names the missing service URIs when only some are set', () => {
    const error = errorOf(() => resolveStorageTarget({ AzureWebJobsStorage__blobServiceUri: 'https://acct.blob.core.windows.net' }));
    expect(error.message).toMatch(/AzureWebJobsStorage__queueServiceUri and AzureWebJobsStorage__tableServiceUri not set/);
  });

  it('refuses a malformed account name or service URI without echoing the value', () => {
    const name = errorOf(() => resolveStorageTarget({ AzureWebJobsStorage__accountName: 'https://acct.blob.core.windows.net' }));
    expect(name.setting).toBe('AzureWebJobsStorage__accountName');
    expect(name.message).toMatch(/not a storage account name/);

    const base = { AzureWebJobsStorage__accountName: 'acct01' };
    const pasted = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${ACCOUNT_KEY}`;
    const notUrl = errorOf(() => resolveStorageTarget({ ...base, AzureWebJobsStorage__queueServiceUri: pasted }));
    expect(notUrl.message).toMatch(
      /AzureWebJobsStorage__queueServiceUri is not an absolute URL.*https:\/\/<account>\.queue\.core\.windows\.net/,
    );
    expect(notUrl.message).not.toContain(ACCOUNT_KEY);

    const http = errorOf(() =>
      resolveStorageTarget({ ...base, AzureWebJobsStorage__tableServiceUri: 'http://acct.table.core.windows.net' }),
    );
    expect(http.message).toMatch(/must be an https URL/);

    const sas = errorOf(() =>
      resolveStorageTarget({
        ...base,
        AzureWebJobsStorage__blobServiceUri: `https://acct.blob.core.windows.net/?sv=2022&sig=${ACCOUNT_KEY}`,
      }),
    );
    expect(sas.message).toMatch(/must not carry a query/);
    expect(sas.message).not.toContain(ACCOUNT_KEY);
  });

  it('refuses a credential kind it cannot honour', () => {
    const error = errorOf(() =>
      resolveStorageTarget({ AzureWebJobsStorage__accountName: 'acct01', AzureWebJobsStorage__credential: 'clientsecret' }),
    );
    expect(error.message).toMatch(/AzureWebJobsStorage__credential must be "managedidentity" or unset/);
  });
});
