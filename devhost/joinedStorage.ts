import { AutopilotError } from '../shared/errors';
import { developmentStorageAware, type AzuritePorts } from '../adapters/developmentStorage';

export class JoinStorageError extends AutopilotError {
  constructor(reason: string) {
    super(
      `--join-storage: ${reason}. Pass the first host's storage connection string: UseDevelopmentStorage=true if it runs on ` +
        'the default ports, else one with BlobEndpoint, QueueEndpoint and TableEndpoint (the Azurite URLs it printed)',
    );
  }
}

export interface JoinedStorage {
  connectionString: string;
  urls: { blob: string; queue: string; table: string };
  /** The endpoints' ports (0 where the endpoint names none, e.g. https on 443). */
  ports: AzuritePorts;
}

/**
 * The storage account a host joins instead of starting Azurite: another host's (a scale-out
 * instance, as Azure Functions adds them), read from its connection string.
 */
export function joinedStorage(connectionString: string): JoinedStorage {
  const value = developmentStorageAware(connectionString);
  const fields = new Map(
    value
      .split(';')
      .filter(Boolean)
      .map((part) => {
        const at = part.indexOf('=');
        return [part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim()] as const;
      }),
  );
  const endpoint = (service: 'blob' | 'queue' | 'table'): string => {
    const explicit = fields.get(`${service}endpoint`);
    if (explicit) return explicit.replace(/\/$/, '');
    const account = fields.get('accountname');
    if (!account)
      throw new JoinStorageError(`the connection string has no ${service[0]!.toUpperCase()}${service.slice(1)}Endpoint and no AccountName`);
    return `${fields.get('defaultendpointsprotocol') ?? 'https'}://${account}.${service}.${fields.get('endpointsuffix') ?? 'core.windows.net'}`;
  };
  const urls = { blob: endpoint('blob'), queue: endpoint('queue'), table: endpoint('table') };
  const portOf = (url: string): number => {
    try {
      return Number(new URL(url).port || 0);
    } catch {
      throw new JoinStorageError(`'${url}' is not a URL`);
    }
  };
  return { connectionString: value, urls, ports: { blob: portOf(urls.blob), queue: portOf(urls.queue), table: portOf(urls.table) } };
}
