import type { EnvironmentName } from '../config/schema';
import { MONITORING_READER_ROLE, type RequiredAction } from './requiredActions';

export interface PermissionFixTarget {
  environment: EnvironmentName;
  /** `/subscriptions/…/resourceGroups/…/providers/Microsoft.MachineLearningServices/workspaces/…` */
  workspaceId: string;
  /** The caller's object id, when its token says; otherwise a placeholder tells how to find it. */
  principalId?: string;
}

const PRINCIPAL_PLACEHOLDER = '<object-id>';

/**
 * The `az role assignment create` commands that grant the missing actions, one per role and
 * scope as infra/main.json assigns them: AzureML Data Scientist on the workspace, Monitoring
 * Reader on its resource group. Staging and prod carry the RBAC model's reminder that only ML
 * engineers and the function app's identity belong there.
 */
export function permissionFix(missing: readonly RequiredAction[], target: PermissionFixTarget): string {
  const assignee = target.principalId ?? PRINCIPAL_PLACEHOLDER;
  const roles = [...new Set(missing.map((m) => m.role))];
  const commands = roles.map((role) => {
    const scope = role === MONITORING_READER_ROLE ? resourceGroupOf(target.workspaceId) : target.workspaceId;
    return `az role assignment create --assignee ${assignee} --role "${role}" --scope ${scope}`;
  });
  const notes: string[] = [];
  if (!target.principalId) {
    notes.push(
      `${PRINCIPAL_PLACEHOLDER}: yours from \`az ad signed-in-user show --query id -o tsv\`, the function app's from \`az functionapp identity show -g <rg> -n <app> --query principalId -o tsv\``,
    );
  }
  if (target.environment !== 'dev') {
    notes.push(
      `RBAC model: on ${target.environment} only ML engineers (the mlEngineersGroupId group of infra/main.json) and the function app's identity hold these roles; data scientists work in dev only`,
    );
  }
  return [...commands, ...notes].join('\n');
}

/** The resource group scope of a resource id (the first four segments). */
export function resourceGroupOf(resourceId: string): string {
  return resourceId.split('/').slice(0, 5).join('/');
}
