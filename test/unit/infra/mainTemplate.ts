/**
 * @module infra/main.json loaded once for the template tests, with the lookups they share:
 * resources by type, their properties, and role assignments as (role, principal, scope).
 */
import { join } from 'node:path';
import { keyOfScope, loadTemplate, resourceKey, type ArmResource, type ResourceKey } from './armTemplate';

export const infraDir = join(__dirname, '..', '..', '..', 'infra');
export const template = loadTemplate(join(infraDir, 'main.json'));
export const defined = template.resources.map((r) => ({ resource: r, key: resourceKey(r) }));
export const ofType = (type: string) => template.resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
export const props = (r: ArmResource) => r.properties as Record<string, any>;

/** How the template names the function app's system-assigned identity in a principalId. */
export const APP_PRINCIPAL =
  "[reference(resourceId('Microsoft.Web/sites', variables('appName')), '2024-04-01', 'full').identity.principalId]";

/** The scope of a role assignment without one: the resource group being deployed to. */
export const RESOURCE_GROUP: ResourceKey = { type: 'resourcegroup', segments: [] };

/** Role assignments as (role variable, principal expression, scope resource, condition). */
export function roleAssignments() {
  return ofType('Microsoft.Authorization/roleAssignments').map((r) => ({
    role: /variables\('roles'\)\.(\w+)/.exec(props(r).roleDefinitionId)![1]!,
    principal: props(r).principalId as string,
    principalType: props(r).principalType as string,
    scope: r.scope ? keyOfScope(r.scope) : RESOURCE_GROUP,
    condition: r.condition,
  }));
}
