import { createStorage, type Storage } from '../../../adapters/azure/storage';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';

/** An in-memory Azurite for the suite and the storage adapters on it; stopped after all tests. */
export function useAzuriteStorage(): { storage(): Storage; connectionString(): string; blobPort(): number } {
  let azurite: RunningAzurite | undefined;
  let storage: Storage | undefined;
  beforeAll(async () => {
    azurite = await startAzurite();
    storage = createStorage({ connectionString: azurite.connectionString });
  });
  afterAll(async () => {
    await azurite?.stop();
  });
  return { storage: () => storage!, connectionString: () => azurite!.connectionString, blobPort: () => azurite!.ports.blob };
}
