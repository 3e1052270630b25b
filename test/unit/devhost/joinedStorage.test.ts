import { connectionStringFor } from '../../../devhost/azurite';
import { JoinStorageError, joinedStorage } from '../../../devhost/joinedStorage';

describe('the storage account a second host joins (--join-storage)', () => {
  it('reads the endpoints of an explicit Azurite string, of UseDevelopmentStorage and of an account name', () => {
    const explicit = connectionStringFor({ blob: 41000, queue: 41001, table: 41002 });
    expect(joinedStorage(explicit)).toEqual({
      connectionString: explicit,
      urls: {
        blob: 'http://127.0.0.1:41000/devstoreaccount1',
        queue: 'http://127.0.0.1:41001/devstoreaccount1',
        table: 'http://127.0.0.1:41002/devstoreaccount1',
      },
      ports: { blob: 41000, queue: 41001, table: 41002 },
    });
    expect(joinedStorage('UseDevelopmentStorage=true').ports).toEqual({ blob: 10000, queue: 10001, table: 10002 });
    expect(joinedStorage('DefaultEndpointsProtocol=https;AccountName=stapp;AccountKey=k;EndpointSuffix=core.windows.net').urls.queue).toBe(
      'https://stapp.queue.core.windows.net',
    );
  });

  it('refuses a string it cannot place, saying what to pass', () => {
    expect(() => joinedStorage('nonsense')).toThrow(JoinStorageError);
    expect(() => joinedStorage('AccountKey=k')).toThrow(/no BlobEndpoint and no AccountName.*UseDevelopmentStorage=true/);
    expect(() => joinedStorage('BlobEndpoint=not a url;QueueEndpoint=x;TableEndpoint=y')).toThrow(/'not a url' is not a URL/);
  });
});
