/** Azurite's well-known development account (public, documented by Microsoft). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

/** The ports `UseDevelopmentStorage=true` means. */
export const DEFAULT_AZURITE_PORTS: AzuritePorts = { blob: 10000, queue: 10001, table: 10002 };

/** The development account's connection string for Azurite on these ports. */
export function connectionStringFor(ports: AzuritePorts, host = '127.0.0.1'): string {
  return (
    [
      'DefaultEndpointsProtocol=http',
      `AccountName=${DEV_ACCOUNT}`,
      `AccountKey=${DEV_ACCOUNT_KEY}`,
      `BlobEndpoint=http://${host}:${ports.blob}/${DEV_ACCOUNT}`,
      `QueueEndpoint=http://${host}:${ports.queue}/${DEV_ACCOUNT}`,
      `TableEndpoint=http://${host}:${ports.table}/${DEV_ACCOUNT}`,
    ].join(';') + ';'
  );
}

/**
 * A connection string as given, with the shorthand `UseDevelopmentStorage=true` spelled out for
 * Azurite on `ports` (the local stack may run it on other ports than the default ones).
 */
export function developmentStorageAware(value: string, ports: AzuritePorts = DEFAULT_AZURITE_PORTS): string {
  return /^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(value) ? connectionStringFor(ports) : value.trim();
}
