/**
 * Azure RBAC evaluation of control-plane actions, as the service does it: an action is
 * allowed when one permission entry lists a matching action and that same entry lists no
 * matching notAction (a notAction subtracts only from its own role, never from another one).
 * Patterns compare case-insensitively and `*` matches any run of characters, slashes included,
 * so the AzureML Data Scientist pattern `workspaces/` + `*` + `/read` also covers
 * `workspaces/onlineEndpoints/deployments/read`.
 */
export interface Permission {
  actions: readonly string[];
  notActions: readonly string[];
  dataActions?: readonly string[];
  notDataActions?: readonly string[];
}

const compiled = new Map<string, RegExp>();

export function actionMatches(pattern: string, action: string): boolean {
  let regex = compiled.get(pattern);
  if (!regex) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*');
    regex = new RegExp(`^${source}$`, 'i');
    compiled.set(pattern, regex);
  }
  return regex.test(action);
}

export function isActionAllowed(permissions: readonly Permission[], action: string): boolean {
  return permissions.some(
    (p) => p.actions.some((pattern) => actionMatches(pattern, action)) && !p.notActions.some((pattern) => actionMatches(pattern, action)),
  );
}

/** The actions of `required` that none of the permission entries grants, in the order given. */
export function missingActions(permissions: readonly Permission[], required: readonly string[]): string[] {
  return required.filter((action) => !isActionAllowed(permissions, action));
}

/**
 * The same rule for a data action (blob reads, queue messages): granted when one entry lists
 * it in `dataActions` and that entry's `notDataActions` does not subtract it.
 */
export function isDataActionAllowed(permissions: readonly Permission[], dataAction: string): boolean {
  return permissions.some(
    (p) =>
      (p.dataActions ?? []).some((pattern) => actionMatches(pattern, dataAction)) &&
      !(p.notDataActions ?? []).some((pattern) => actionMatches(pattern, dataAction)),
  );
}
