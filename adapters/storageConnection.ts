import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { AutopilotError } from '../shared/errors';
import type { StorageTarget } from './azure/storage/createStorage';
import { storageCredential } from './storageCredential';
import { developmentStorageAware, type AzuritePorts } from './developmentStorage';

const SERVICES = ['blob', 'queue', 'table'] as const;
type Service = (typeof SERVICES)[number];

/** A storage setting that is missing or cannot be used; the message says which and how to fix it. */
export class StorageSettingsError extends AutopilotError {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ResolveStorageTargetOptions {
  /** The connection's setting name, as in a binding's `connection`. @default 'AzureWebJobsStorage' */
  connection?: string;
  /** Makes the Entra ID credential (tests pass a static one). @default DefaultAzureCredential */
  createCredential?: (options: { managedIdentityClientId?: string }) => TokenCredential;
  /** Where `UseDevelopmentStorage=true` points: the local stack's Azurite ports. @default 10000-10002 */
  developmentPorts?: AzuritePorts;
}

/**
 * Reads the storage connection the way the Functions host does: a connection string in
 * `AzureWebJobsStorage`, else the identity-based settings `AzureWebJobsStorage__accountName`
 * or `__blobServiceUri` + `__queueServiceUri` + `__tableServiceUri` (each overrides the URL
 * derived from the account name), with `__credential=managedidentity` and `__clientId` for a
 * user-assigned identity. Values are never echoed: a misplaced connection string is a secret.
 */
export function resolveStorageTarget(env: NodeJS.ProcessEnv, options: ResolveStorageTargetOptions = {}): StorageTarget {
  const name = options.connection ?? 'AzureWebJobsStorage';
  const setting = (suffix: string): string | undefined => {
    const value = env[suffix ? `${name}__${suffix}` : name]?.trim();
    return value ? value : undefined;
  };
  const connectionString = setting('');
  if (connectionString) return { connectionString: developmentStorageAware(connectionString, options.developmentPorts) };

  const accountName = setting('accountName');
  const explicit = Object.fromEntries(SERVICES.map((s) => [s, setting(`${s}ServiceUri`)])) as Record<Service, string | undefined>;
  if (!accountName && SERVICES.every((s) => !explicit[s])) {
    throw new StorageSettingsError(
      name,
      `Storage is not configured: set ${name} to a connection string (locally "UseDevelopmentStorage=true"), ` +
        `or, to connect with Entra ID, set ${name}__accountName to the storage account name ` +
        `(or all of ${name}__blobServiceUri, ${name}__queueServiceUri and ${name}__tableServiceUri)`,
    );
  }
  if (accountName && !/^[a-z0-9]{3,24}$/.test(accountName)) {
    throw new StorageSettingsError(
      `${name}__accountName`,
      `${name}__accountName is not a storage account name (3 to 24 lower-case letters and digits); ` +
        `set it to the account's name only, e.g. "mlopsdata01", not a URL or connection string`,
    );
  }
  const missing = SERVICES.filter((s) => !explicit[s] && !accountName);
  if (missing.length > 0) {
    throw new StorageSettingsError(
      `${name}__${missing[0]}ServiceUri`,
      `${missing.map((s) => `${name}__${s}ServiceUri`).join(' and ')} not set; the app uses blobs, queues and tables: ` +
        `set all three service URIs, or ${name}__accountName instead`,
    );
  }
  const accountUrl = Object.fromEntries(
    SERVICES.map((s) => [
      s,
      explicit[s] ? serviceUri(`${name}__${s}ServiceUri`, explicit[s], s) : `https://${accountName}.${s}.core.windows.net`,
    ]),
  ) as Record<Service, string>;

  const credentialKind = setting('credential');
  if (credentialKind && credentialKind.toLowerCase() !== 'managedidentity') {
    throw new StorageSettingsError(
      `${name}__credential`,
      `${name}__credential must be "managedidentity" or unset (then DefaultAzureCredential: managed identity in Azure, az login locally)`,
    );
  }
  const clientId = setting('clientId');
  const create = options.createCredential ?? ((o) => new DefaultAzureCredential(o));
  const inner = create(clientId ? { managedIdentityClientId: clientId } : {});
  return { accountUrl, credential: storageCredential(inner, { account: new URL(accountUrl.blob).host, setting: name }) };
}

/** Bearer tokens go over https only, and a query would be a SAS: a secret the setting must not hold. */
function serviceUri(setting: string, value: string, service: Service): string {
  const example = `https://<account>.${service}.core.windows.net`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new StorageSettingsError(setting, `${setting} is not an absolute URL (value not shown); set it to e.g. ${example}`);
  }
  if (url.protocol !== 'https:') {
    throw new StorageSettingsError(
      setting,
      `${setting} must be an https URL (Entra ID tokens are never sent over ${url.protocol}); set it to e.g. ${example}`,
    );
  }
  if (url.search || url.username || url.password) {
    throw new StorageSettingsError(
      setting,
      `${setting} must not carry a query or user info (value not shown: it may hold a SAS); identity-based connections need only ${example}`,
    );
  }
  return url.href.replace(/\/$/, '');
}
