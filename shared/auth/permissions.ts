import type { EnvironmentName } from '../config/schema';
import type { Principal, Role } from './principal';

/**
 * Who may do what, as plain data and one function with no zod at run time: the API checks it
 * (./rbac.ts `authorize`) and the dashboard bundles the same `can` to decide which buttons to
 * show, so the two never disagree.
 */
export type Action =
  | 'read'
  | 'release:start'
  | 'release:cancel'
  | 'release:approve'
  | 'release:rollback'
  | 'release:repair'
  | 'data:upload'
  | 'notifications:redeliver';

const ALLOWED: Record<Role, readonly Action[]> = {
  reader: ['read'],
  data_scientist: ['read', 'release:start', 'release:cancel', 'data:upload'],
  ml_engineer: [
    'read',
    'release:start',
    'release:cancel',
    'release:approve',
    'release:rollback',
    'release:repair',
    'data:upload',
    'notifications:redeliver',
  ],
};

/** The environment an action touches when the caller names none. */
export const DEFAULT_ENVIRONMENT: Record<Action, EnvironmentName> = {
  read: 'dev',
  'release:start': 'dev',
  'release:cancel': 'dev',
  'data:upload': 'dev',
  'release:approve': 'prod',
  'release:rollback': 'prod',
  // Ending an unreadable record is an operator's act, like a rollback.
  'release:repair': 'prod',
  // Re-sending a notification speaks for the service to the team: an operator's act.
  'notifications:redeliver': 'prod',
};

export function can(principal: Principal, action: Action, environment?: EnvironmentName): boolean {
  const env = environment ?? DEFAULT_ENVIRONMENT[action];
  // Reading is not scoped: a reader of any environment may see releases and endpoints.
  return principal.roles.some((grant) => ALLOWED[grant.role].includes(action) && (action === 'read' || grant.environments.includes(env)));
}
