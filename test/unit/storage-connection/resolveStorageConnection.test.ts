import { connectionStringFor } from '../../../adapters/developmentStorage';
import { resolveStorageTarget } from '../../../adapters/storageConnection';
import { joinedStorage } from '../../../devhost/joinedStorage';
import { resolveStorageConnection, StorageConnectionError } from '../../../devhost/bindingSettings';

/** The local host's binding connections go through the app's one resolver (adapters/storageConnection.ts). */
describe('resolveStorageConnection (local host bindings)', () => {
  const ports = { blob: 20000, queue: 20001, table: 20002 };

  it('spells UseDevelopmentStorage=true out for the Azurite ports in use, as the app resolver does', () => {
    const env = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };
    expect(resolveStorageConnection(undefined, 'queue q', { env, azuritePorts: ports })).toBe(connectionStringFor(ports));
    expect(resolveStorageTarget(env, { developmentPorts: ports })).toEqual({ connectionString: connectionStringFor(ports) });
    expect(resolveStorageTarget(env)).toEqual({ connectionString: connectionStringFor({ blob: 10000, queue: 10001, table: 10002 }) });
    expect({ connectionString: joinedStorage('UseDevelopmentStorage=true').connectionString }).toEqual(resolveStorageTarget(env));
  });

  it('falls back to AzureWebJobs<name> as the Functions host does, and names the setting when neither is set', () => {
    const connection = 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net';
    expect(resolveStorageConnection('Other', 'queue q', { env: { AzureWebJobsOther: connection } })).toBe(connection);
    expect(() => resolveStorageConnection('Other', 'queue q', { env: { Other: '  ' } })).toThrow(StorageConnectionError);
    expect(() => resolveStorageConnection('Other', 'queue q', { env: {} })).toThrow(/'Other' \(used by queue q\) is not set/);
  });
});
