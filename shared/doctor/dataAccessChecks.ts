import { checkResult, type CheckResult } from './checkResult';
import { isDataActionAllowed, type Permission } from './matchPermissions';

/** The data action a job's identity needs to read its input blobs (Storage Blob Data Reader and above grant it). */
export const BLOB_READ_DATA_ACTION = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';

/** A blob datastore as the workspace has it (adapters/azure/workspace/datastoreInputs.ts blobDatastoreTarget). */
export interface FoundDatastore {
  name: string;
  accountName: string;
  containerName: string;
  /** `None` for an identity-based datastore; AccountKey, Sas, ServicePrincipal, Certificate otherwise. */
  credentialsType: string;
}

/** Where the app keeps the blobs jobs read: its storage account (unknown when AzureWebJobsStorage did not resolve) and artifacts container. */
export interface AppBlobs {
  accountName?: string;
  containerName: string;
}

export interface DatastoreWhere {
  environment: string;
  workspace: string;
  resourceGroup: string;
}

/** The `az ml datastore create` that registers it as infra/main.json does: AzureBlob, no credentials. */
export function datastoreFix(name: string, app: AppBlobs, where: DatastoreWhere): string {
  return [
    'infra/main.json registers it in every workspace. By hand, with a datastore.yml of',
    `  name: ${name}`,
    '  type: azure_blob',
    `  account_name: ${app.accountName ?? "<the app's storage account>"}`,
    `  container_name: ${app.containerName}`,
    '(no credentials: section, so jobs read with their own identity):',
    `az ml datastore create --file datastore.yml --resource-group ${where.resourceGroup} --workspace-name ${where.workspace}`,
  ].join('\n');
}

/**
 * The datastore training jobs read the app's blobs through (AUTOPILOT_DATA_DATASTORE): it must
 * point at the app's storage account and artifacts container, where the app writes the split
 * data; credentials stored in it would be used instead of the job's identity.
 */
export function datastoreCheck(found: FoundDatastore, app: AppBlobs, where: DatastoreWhere): CheckResult {
  const name = `${where.environment}: datastore ${found.name}`;
  const points = `account ${found.accountName}, container ${found.containerName}`;
  const wrongAccount = app.accountName !== undefined && found.accountName.toLowerCase() !== app.accountName.toLowerCase();
  if (wrongAccount || found.containerName !== app.containerName) {
    return checkResult(
      name,
      'fail',
      `points at ${points}, but the app writes the data jobs read to account ${app.accountName ?? '(unknown)'}, container ${app.containerName}: training jobs would read blobs that are not there`,
      datastoreFix(found.name, app, where),
    );
  }
  if (found.credentialsType !== 'None') {
    return checkResult(
      name,
      'warn',
      `holds credentials (${found.credentialsType}): jobs read ${points} with the stored credentials instead of their own identity (UserIdentity), so a rotated key breaks training and the secret sits in the workspace`,
      datastoreFix(found.name, app, where),
    );
  }
  if (app.accountName === undefined) {
    return checkResult(
      name,
      'warn',
      `identity-based AzureBlob datastore on ${points}; not compared with the app's storage account, which is not known (see storage)`,
    );
  }
  return checkResult(name, 'ok', `identity-based AzureBlob datastore on ${points} (the app's): jobs read it with their own identity`);
}

export interface DataRoleInput {
  /** The caller's permissions at the storage account (Permissions - List For Resource). */
  permissions: readonly Permission[];
  storageAccountId: string;
  principalId?: string;
  /** True in Azure Functions: the caller is then the function app's identity, the one jobs run as. */
  onAzure: boolean;
}

/**
 * Jobs are submitted as UserIdentity: they read their inputs as whoever submitted them, the
 * identity the app runs as. That identity needs a Storage Blob Data role on the app's account.
 */
export function jobDataRoleCheck(input: DataRoleInput): CheckResult {
  const name = 'dev: job data role';
  const who = input.principalId ? `the caller (object id ${input.principalId})` : 'the caller';
  const note = input.onAzure
    ? ''
    : "\n(checked for the identity running the doctor; jobs run as the identity that submits them, the function app's managed identity in Azure)";
  if (isDataActionAllowed(input.permissions, BLOB_READ_DATA_ACTION)) {
    return checkResult(
      name,
      'ok',
      `${who} may read blobs of ${input.storageAccountId}, so training jobs it submits (UserIdentity) can read their data${note}`,
    );
  }
  return checkResult(
    name,
    'fail',
    `${who} lacks ${BLOB_READ_DATA_ACTION} on ${input.storageAccountId}: training jobs run as the identity that submits them (UserIdentity) and would fail reading their input (AuthorizationPermissionMismatch)${note}`,
    [
      `az role assignment create --assignee ${input.principalId ?? '<object-id>'} --role "Storage Blob Data Reader" --scope ${input.storageAccountId}`,
      "(infra/main.json gives the function app's identity Storage Blob Data Owner on this account, which includes it)",
    ].join('\n'),
  );
}
