import type { EnvironmentName } from '../../../shared/config/schema';
import { checkResult, datastoreCheck, datastoreFix, jobDataRoleCheck, type AppBlobs, type CheckResult } from '../../../shared/doctor';
import { ConfigError } from '../../../shared/errors';
import type { AzureCoordinates } from '../armMlClient';
import { blobDatastoreTarget } from '../workspace/datastoreInputs';
import { armGetJson, describeArmError, listPermissions, STORAGE_API_VERSION } from './armDoctorClient';
import type { WorkspaceCheckContext } from './workspaceCheckContext';

/**
 * The datastore training jobs read the app's blobs through (AUTOPILOT_DATA_DATASTORE): read as
 * the job submission reads it (blobDatastoreTarget: registered, AzureBlob, account and
 * container named), then judged against the app's storage account and artifacts container.
 */
export async function checkDataDatastore(
  environment: EnvironmentName,
  coords: AzureCoordinates,
  datastore: string,
  app: AppBlobs,
  ctx: WorkspaceCheckContext,
): Promise<CheckResult> {
  const name = `${environment}: datastore ${datastore}`;
  const where = { environment, workspace: coords.workspace, resourceGroup: coords.resourceGroup };
  let properties;
  try {
    properties = (await ctx.client.datastores.get(coords.resourceGroup, coords.workspace, datastore, { abortSignal: ctx.signal }))
      .properties;
  } catch (error) {
    const { status, code, message } = describeArmError(error);
    if (status !== 404) return checkResult(name, 'warn', `cannot read it: ${status ? `HTTP ${status} ` : ''}${code ?? message}`);
  }
  let target;
  try {
    target = blobDatastoreTarget(datastore, coords.workspace, properties);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const why = error.issues.map((i) => i.message.replace(/ \(infra\/main\.json registers it;.*\)$/, '')).join('; ');
    return checkResult(
      name,
      'fail',
      `${why} (AUTOPILOT_DATA_DATASTORE names it; default autopilot_artifacts)`,
      datastoreFix(datastore, app, where),
    );
  }
  const credentialsType = (properties?.credentials as { credentialsType?: string } | undefined)?.credentialsType ?? 'None';
  return datastoreCheck(
    { name: datastore, accountName: target.accountName, containerName: target.containerName, credentialsType },
    app,
    where,
  );
}

/**
 * Whether the caller may read blobs of the app's storage account, from its effective
 * permissions there. The account's resource id is not in any setting: the check looks for it in
 * the dev workspace's resource group, where infra/main.json deploys it, and says so if absent.
 */
export async function checkJobDataRole(
  coords: AzureCoordinates,
  accountName: string | undefined,
  onAzure: boolean,
  ctx: WorkspaceCheckContext,
): Promise<CheckResult> {
  const name = 'dev: job data role';
  if (!accountName) return checkResult(name, 'skip', "needs the app's storage account (see storage)");
  const accountId = `/subscriptions/${coords.subscriptionId}/resourceGroups/${coords.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${accountName}`;
  const byHand = `Check by hand: az role assignment list --all --assignee ${ctx.principalId ?? '<object-id>'} --query "[?contains(roleDefinitionName, 'Storage Blob Data')]"`;
  try {
    await armGetJson(ctx.client, ctx.armEndpoint, accountId, STORAGE_API_VERSION, ctx.signal);
  } catch (error) {
    const { status, code, message } = describeArmError(error);
    const why =
      status === 404
        ? `storage account ${accountName} is not in resource group ${coords.resourceGroup} (where infra/main.json puts it with the workspaces)`
        : `cannot read storage account ${accountId}: ${status ? `HTTP ${status} ` : ''}${code ?? message}`;
    return checkResult(name, 'warn', `not checked: ${why}, so the caller's blob data role on it is unknown`, byHand);
  }
  try {
    const permissions = await listPermissions(ctx.client, ctx.armEndpoint, accountId, ctx.signal);
    return jobDataRoleCheck({
      permissions,
      storageAccountId: accountId,
      onAzure,
      ...(ctx.principalId ? { principalId: ctx.principalId } : {}),
    });
  } catch (error) {
    const { status, code, message } = describeArmError(error);
    return checkResult(
      name,
      'warn',
      `not checked: cannot list the caller's permissions on ${accountId} (${status ? `HTTP ${status} ` : ''}${code ?? message})`,
      byHand,
    );
  }
}
