import type { AzureBlobDatastore, DatastorePropertiesUnion } from '@azure/arm-machinelearning';
import { BadRequestError, ConfigError } from '../../../shared/errors';

/**
 * The datastore name infra/main.json registers in every workspace: an identity-based
 * (credential-less) AzureBlob datastore on the app's storage account, artifacts container.
 */
export const DEFAULT_DATA_DATASTORE = 'autopilot_artifacts';

/** Where a blob datastore points. */
export interface BlobDatastoreTarget {
  name: string;
  accountName: string;
  containerName: string;
  /** The storage DNS suffix (core.windows.net in public Azure). */
  endpoint: string;
}

/**
 * The datastore as ARM answers it, checked to be what the job needs: a blob datastore without
 * stored credentials, so the job reads with its own identity (we submit jobs as UserIdentity).
 */
export function blobDatastoreTarget(name: string, workspace: string, datastore: DatastorePropertiesUnion | undefined): BlobDatastoreTarget {
  const fix = `infra/main.json registers it; by hand: az ml datastore create --workspace-name ${workspace} with type azure_blob, name ${name}, the app's storage account and artifacts container, and no credentials`;
  if (!datastore)
    throw new ConfigError(`datastore ${name}`, [
      {
        path: `workspaces/${workspace}/datastores/${name}`,
        message: `is not registered; training jobs read their data through it (${fix})`,
      },
    ]);
  if (datastore.datastoreType !== 'AzureBlob') {
    throw new ConfigError(`datastore ${name}`, [
      {
        path: `workspaces/${workspace}/datastores/${name}`,
        message: `is ${datastore.datastoreType}; it must be an AzureBlob datastore (${fix})`,
      },
    ]);
  }
  const blob = datastore as AzureBlobDatastore;
  if (!blob.accountName || !blob.containerName) {
    throw new ConfigError(`datastore ${name}`, [
      { path: `workspaces/${workspace}/datastores/${name}`, message: `names no account or container (${fix})` },
    ]);
  }
  return { name, accountName: blob.accountName, containerName: blob.containerName, endpoint: blob.endpoint ?? 'core.windows.net' };
}

/**
 * The `azureml://datastores/<name>/paths/<path>` form of a blob URL inside the datastore's
 * container, as azure-ai-ml writes job inputs; undefined for any other URI. Both URL styles:
 * `https://<account>.blob.<endpoint>/<container>/<path>` and the emulator's path style
 * `http://host:port/<account>/<container>/<path>`. A SAS or other query string is refused:
 * the job reads with its identity, and a token in the job body would be stored in the workspace.
 */
export function datastoreUri(uri: string, datastore: BlobDatastoreTarget, input: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const segments = url.pathname.split('/').slice(1).map(decodeSegment);
  const host = url.hostname.toLowerCase();
  const account = datastore.accountName.toLowerCase();
  const virtualHosted = host === `${account}.blob.${datastore.endpoint.toLowerCase()}`;
  // Path style is the emulator's (Azurite on a loopback or IP host); any other host is not the account.
  const emulatorHost = host === 'localhost' || /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
  const pathStyle = emulatorHost && segments[0]?.toLowerCase() === account;
  if (!virtualHosted && !pathStyle) return undefined;
  const [container, ...path] = pathStyle ? segments.slice(1) : segments;
  if (container !== datastore.containerName || path.every((segment) => segment === '')) return undefined;
  // Decoded, a segment may hold '/' (%2F) and so hide '..': the path must stay in the container.
  const decoded = path.some((segment) => segment === undefined) ? undefined : path.join('/');
  if (decoded === undefined)
    throw new BadRequestError(`input '${input}': the blob URL has a malformed percent-escape in its path`, `inputs.${input}`);
  if (decoded.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new BadRequestError(
      `input '${input}': the blob URL's path has '.' or '..' segments (some percent-encoded); name the blob by its plain path in container ${datastore.containerName}`,
      `inputs.${input}`,
    );
  }
  if (url.search)
    throw new BadRequestError(
      `input '${input}': the blob URL carries a query string (a SAS?); jobs read through datastore ${datastore.name} with their identity, so pass the URL without it`,
      `inputs.${input}`,
    );
  return `azureml://datastores/${datastore.name}/paths/${decoded}`;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
