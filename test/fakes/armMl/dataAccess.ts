import { z } from 'zod';
import { ArmHttpError, type ExtraRoute } from './extraRoute';

/**
 * Datastores and who may read what, for the ARM fake. The rules, from Microsoft Learn
 * "Data administration" (how-to-administrate-data-authentication) and "Model training on
 * serverless compute" (how-to-use-serverless-compute, MicrosoftDocs/azure-docs):
 * - a credential-based datastore (account key, SAS, service principal) is read with its
 *   stored credentials;
 * - a credential-less (identity-based) datastore, or a storage URL, is read with the job's
 *   identity: `UserIdentity` is the identity that submitted the job, `Managed` the compute's
 *   managed identity, and the default `AMLToken` falls back to the compute's managed identity;
 *   serverless compute has none unless the workspace has a user-assigned one;
 * - that identity needs a data role (Storage Blob Data Reader or above) on the account.
 * The fake checks this when a job is submitted and fails the job when it runs, as Azure
 * does when it mounts an input it cannot read. Every caller of the fake counts as the
 * one submitter (the app's identity).
 */

/** DatastoreProperties (2022-10-01): `credentials` and `datastoreType` are [Required]. */
const DatastoreBody = z.looseObject({
  properties: z.looseObject({
    datastoreType: z.enum(['AzureBlob', 'AzureDataLakeGen1', 'AzureDataLakeGen2', 'AzureFile']),
    credentials: z.looseObject({ credentialsType: z.enum(['AccountKey', 'Certificate', 'None', 'Sas', 'ServicePrincipal']) }),
    accountName: z.string().min(1).optional(),
    containerName: z.string().min(1).optional(),
    endpoint: z.string().optional(),
  }),
});
type Datastore = z.infer<typeof DatastoreBody>['properties'];

const DATASTORE_PATH =
  /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+)\/datastores\/([^/]+)$/i;
/** Who reads: the submitter, or a compute's managed identity (by compute ARM id). */
export type DataPrincipal = 'submitter' | { compute: string };

export class FakeDataAccess {
  /** `${workspacePath}/datastores/${name}` (lower case) -> properties. */
  private readonly datastores = new Map<string, Datastore>();
  /** Storage account (lower case) -> principals holding a blob data role on it. */
  private readonly readers = new Map<string, string[]>();

  /** A datastore as `az ml datastore create` (or infra/main.json) leaves it. */
  seedDatastore(
    workspacePath: string,
    name: string,
    datastore: { accountName: string; containerName: string; credentialsType?: 'None' | 'AccountKey' },
  ): void {
    this.datastores.set(`${workspacePath}/datastores/${name}`.toLowerCase(), {
      datastoreType: 'AzureBlob',
      accountName: datastore.accountName,
      containerName: datastore.containerName,
      endpoint: 'core.windows.net',
      credentials: { credentialsType: datastore.credentialsType ?? 'None' },
    });
  }

  /** A role assignment of Storage Blob Data Reader (or above) on an account. */
  grantBlobRead(account: string, principal: DataPrincipal): void {
    const key = account.toLowerCase();
    this.readers.set(key, [...(this.readers.get(key) ?? []), principalKey(principal)]);
  }

  /** Removes that role assignment again. */
  revokeBlobRead(account: string, principal: DataPrincipal): void {
    const key = account.toLowerCase();
    this.readers.set(
      key,
      (this.readers.get(key) ?? []).filter((p) => p !== principalKey(principal)),
    );
  }

  /** Whether `principal` holds a blob data role on the account (what grantBlobRead gave). */
  canReadBlobs(account: string, principal: DataPrincipal): boolean {
    return (this.readers.get(account.toLowerCase()) ?? []).includes(principalKey(principal));
  }

  readonly route: ExtraRoute = (method, url, body) => {
    const m = DATASTORE_PATH.exec(url.pathname);
    if (!m) return undefined;
    const key = url.pathname.toLowerCase();
    if (method === 'GET') {
      const found = this.datastores.get(key);
      if (!found) throw new ArmHttpError(404, 'UserError', `datastore ${m[2]} not found`);
      return [200, { id: url.pathname, name: m[2], type: 'Microsoft.MachineLearningServices/workspaces/datastores', properties: found }];
    }
    if (method === 'PUT') {
      const parsed = DatastoreBody.safeParse(body);
      if (!parsed.success)
        throw new ArmHttpError(
          400,
          'UserError',
          `invalid datastore: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      this.datastores.set(key, parsed.data.properties);
      return [200, { id: url.pathname, name: m[2], properties: parsed.data.properties }];
    }
    return undefined;
  };

  /**
   * Why a job could not read one of its inputs, or undefined when it can. `properties`: the
   * job's properties as submitted.
   */
  unreadableInput(
    workspacePath: string,
    properties: { inputs?: Record<string, { uri?: string }>; identity?: { identityType?: string }; computeId?: string },
  ): string | undefined {
    for (const [name, input] of Object.entries(properties.inputs ?? {})) {
      if (!input.uri) continue;
      const problem = this.readProblem(workspacePath, input.uri, properties.identity?.identityType ?? 'AMLToken', properties.computeId);
      if (problem) return `input '${name}' (${input.uri}): ${problem}`;
    }
    return undefined;
  }

  private readProblem(workspacePath: string, uri: string, identityType: string, computeId: string | undefined): string | undefined {
    let account: string;
    const datastore = /^azureml:\/\/datastores\/([^/]+)\/paths\/.+$/i.exec(uri);
    if (datastore) {
      const found = this.datastores.get(`${workspacePath}/datastores/${datastore[1]}`.toLowerCase());
      if (!found) return `datastore ${datastore[1]} does not exist in this workspace`;
      if (found.credentials.credentialsType !== 'None') return undefined;
      account = found.accountName ?? '';
    } else if (/^https?:\/\//i.test(uri)) {
      const url = new URL(uri);
      // A SAS grants access by itself.
      if (url.searchParams.has('sig')) return undefined;
      account = url.hostname.includes('.blob.') ? url.hostname.split('.')[0]! : (url.pathname.split('/')[1] ?? '');
    } else {
      return undefined; // job outputs, data assets: the service reads those itself
    }
    const principal: DataPrincipal | undefined =
      identityType === 'UserIdentity' ? 'submitter' : computeId ? { compute: computeId } : undefined;
    if (!principal)
      return `${identityType} on serverless compute has no identity to read storage account ${account} with (AuthorizationPermissionMismatch)`;
    if (!(this.readers.get(account.toLowerCase()) ?? []).includes(principalKey(principal))) {
      return `${principalKey(principal)} has no Storage Blob Data role on storage account ${account} (AuthorizationPermissionMismatch)`;
    }
    return undefined;
  }
}

function principalKey(principal: DataPrincipal): string {
  return principal === 'submitter' ? 'the submitting identity' : `the managed identity of compute ${principal.compute.toLowerCase()}`;
}
