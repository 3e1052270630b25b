import type { EnvironmentName } from '../../../shared/config/schema';
import {
  checkResult,
  formatEnvironmentReference,
  missingActions,
  permissionFix,
  requiredActions,
  type CheckResult,
  type EnvironmentReference,
} from '../../../shared/doctor';
import { workspaceArmId, type AzureCoordinates } from '../armMlClient';
import { describeArmError, listPermissions } from './armDoctorClient';
import { checkDataDatastore, checkJobDataRole } from './dataChecks';
import { checkMetricAggregations } from './metricChecks';
import type { WorkspaceCheckContext } from './workspaceCheckContext';

export type { WorkspaceCheckContext } from './workspaceCheckContext';

/** What the pipelines' specs ask of one workspace, and which spec asked (for the report). */
export interface WorkspaceAssets {
  computes: Map<string, string[]>;
  environments: Map<string, { ref: EnvironmentReference; specs: string[] }>;
}

/**
 * One azure environment: the workspace exists, the caller holds every RBAC action the release
 * path needs there, the computes and environments the specs name exist, the data datastore
 * points at the app's blobs; in dev the caller may read those blobs, in prod Azure Monitor
 * offers the endpoint metrics the canary analysis reads.
 */
export async function checkAzureWorkspace(
  environment: EnvironmentName,
  coords: AzureCoordinates,
  assets: WorkspaceAssets,
  ctx: WorkspaceCheckContext,
): Promise<CheckResult[]> {
  const workspaceId = workspaceArmId(coords);
  const name = (what: string) => `${environment}: ${what}`;
  const options = { abortSignal: ctx.signal };
  try {
    await ctx.client.workspaces.get(coords.resourceGroup, coords.workspace, options);
  } catch (error) {
    const { status, code, message } = describeArmError(error);
    const rest = [
      name('permissions'),
      ...[...assets.computes.keys()].map((c) => name(`compute ${c}`)),
      ...[...assets.environments.values()].map((e) => name(`environment ${formatEnvironmentReference(e.ref)}`)),
      ...(ctx.data ? [name(`datastore ${ctx.data.datastore}`)] : []),
      ...(environment === 'dev' && ctx.jobDataRole ? [name('job data role')] : []),
      ...(environment === 'prod' ? (ctx.metricPipelines ?? []).map((p) => name(`metric aggregations (${p})`)) : []),
    ].map((n) => checkResult(n, 'skip', 'needs the workspace'));
    if (status === 404) {
      return [
        checkResult(
          name('workspace'),
          'fail',
          `workspace '${coords.workspace}' not found in resource group '${coords.resourceGroup}' of subscription ${coords.subscriptionId} (${code ?? 'NotFound'})`,
          `Deploy infra/main.json (it creates the dev, staging and prod workspaces), or: az ml workspace create --name ${coords.workspace} --resource-group ${coords.resourceGroup} --subscription ${coords.subscriptionId} --location ${coords.location}\nOr correct environments.${environment} in autopilot.yaml if the workspace has another name`,
        ),
        ...rest,
      ];
    }
    if (status === 403) {
      return [
        checkResult(
          name('workspace'),
          'fail',
          `may not read workspace ${workspaceId} (${code ?? 'AuthorizationFailed'})`,
          permissionFix(requiredActions(environment), {
            environment,
            workspaceId,
            ...(ctx.principalId ? { principalId: ctx.principalId } : {}),
          }),
        ),
        ...rest,
      ];
    }
    return [
      checkResult(
        name('workspace'),
        'fail',
        `cannot read workspace ${workspaceId} at ${ctx.armEndpoint}: ${status ? `HTTP ${status} ` : ''}${code ? `${code} ` : ''}${message}`,
      ),
      ...rest,
    ];
  }
  const results = [checkResult(name('workspace'), 'ok', `${coords.workspace} exists (${coords.resourceGroup}, ${coords.location})`)];
  results.push(await checkPermissions(environment, workspaceId, ctx));
  for (const [compute, specs] of assets.computes) results.push(await checkCompute(environment, coords, compute, specs, ctx));
  for (const { ref, specs } of assets.environments.values()) results.push(await checkEnvironment(environment, coords, ref, specs, ctx));
  if (ctx.data) results.push(await checkDataDatastore(environment, coords, ctx.data.datastore, ctx.data.app, ctx));
  if (environment === 'dev' && ctx.jobDataRole)
    results.push(await checkJobDataRole(coords, ctx.jobDataRole.accountName, ctx.jobDataRole.onAzure, ctx));
  if (environment === 'prod')
    for (const pipeline of ctx.metricPipelines ?? []) results.push(await checkMetricAggregations(coords, pipeline, ctx));
  return results;
}

async function checkPermissions(environment: EnvironmentName, workspaceId: string, ctx: WorkspaceCheckContext): Promise<CheckResult> {
  const name = `${environment}: permissions`;
  const needed = requiredActions(environment);
  let granted;
  try {
    granted = await listPermissions(ctx.client, ctx.armEndpoint, workspaceId, ctx.signal);
  } catch (error) {
    const { status, code, message } = describeArmError(error);
    return checkResult(
      name,
      'warn',
      `cannot list the caller's permissions on ${workspaceId} (${status ? `HTTP ${status} ` : ''}${code ?? message}); the release path may still work`,
    );
  }
  const missing = missingActions(
    granted,
    needed.map((n) => n.action),
  );
  if (!missing.length) return checkResult(name, 'ok', `all ${needed.length} actions the release path needs in ${environment} are granted`);
  const missingNeeds = needed.filter((n) => missing.includes(n.action));
  const detail = `missing ${missing.length} of ${needed.length} actions on ${workspaceId}:\n${missingNeeds.map((n) => `  - ${n.action} (to ${n.why})`).join('\n')}`;
  return checkResult(
    name,
    'fail',
    detail,
    permissionFix(missingNeeds, { environment, workspaceId, ...(ctx.principalId ? { principalId: ctx.principalId } : {}) }),
  );
}

async function checkCompute(
  environment: EnvironmentName,
  coords: AzureCoordinates,
  compute: string,
  specs: string[],
  ctx: WorkspaceCheckContext,
): Promise<CheckResult> {
  const name = `${environment}: compute ${compute}`;
  try {
    const found = await ctx.client.computeOperations.get(coords.resourceGroup, coords.workspace, compute, { abortSignal: ctx.signal });
    const state = found.properties?.provisioningState;
    if (state && state !== 'Succeeded')
      return checkResult(
        name,
        'warn',
        `exists but its provisioning state is ${state}`,
        `Inspect it: az ml compute show --name ${compute} --resource-group ${coords.resourceGroup} --workspace-name ${coords.workspace}`,
      );
    return checkResult(name, 'ok', `exists${found.properties?.computeType ? ` (${found.properties.computeType})` : ''}`);
  } catch (error) {
    const { status, code, message } = describeArmError(error);
    if (status === 404) {
      return checkResult(
        name,
        'fail',
        `not found in workspace ${coords.workspace}; named by ${specs.join(', ')}`,
        `az ml compute create --name ${compute} --type AmlCompute --size Standard_DS3_v2 --min-instances 0 --max-instances 2 --resource-group ${coords.resourceGroup} --workspace-name ${coords.workspace}\nOr name an existing compute in the job spec's \`compute:\``,
      );
    }
    return checkResult(name, 'warn', `cannot read it: ${status ? `HTTP ${status} ` : ''}${code ?? message}`);
  }
}

async function checkEnvironment(
  environment: EnvironmentName,
  coords: AzureCoordinates,
  ref: EnvironmentReference,
  specs: string[],
  ctx: WorkspaceCheckContext,
): Promise<CheckResult> {
  const label = formatEnvironmentReference(ref);
  const name = `${environment}: environment ${label}`;
  const fix = `Register it: az ml environment create --name ${ref.name}${ref.version === 'latest' ? '' : ` --version ${ref.version}`} --file <environment.yaml> --resource-group ${coords.resourceGroup} --workspace-name ${coords.workspace}\n(docs/deploy-azure.md shows the environment the example needs)`;
  try {
    if (ref.version === 'latest') {
      const container = await ctx.client.environmentContainers.get(coords.resourceGroup, coords.workspace, ref.name, {
        abortSignal: ctx.signal,
      });
      const latest = container.properties.latestVersion;
      if (!latest) return checkResult(name, 'fail', `environment '${ref.name}' has no versions; named by ${specs.join(', ')}`, fix);
      return checkResult(name, 'ok', `exists (latest version ${latest})`);
    }
    await ctx.client.environmentVersions.get(coords.resourceGroup, coords.workspace, ref.name, ref.version, { abortSignal: ctx.signal });
    return checkResult(name, 'ok', 'exists');
  } catch (error) {
    const { status, code, message } = describeArmError(error);
    if (status === 404) return checkResult(name, 'fail', `not found in workspace ${coords.workspace}; named by ${specs.join(', ')}`, fix);
    return checkResult(name, 'warn', `cannot read it: ${status ? `HTTP ${status} ` : ''}${code ?? message}`);
  }
}
