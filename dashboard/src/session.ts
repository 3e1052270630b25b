import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { can as rbacCan, type Action } from '../../shared/auth/permissions';
import type { Principal, Role } from '../../shared/auth/rbac';
import type { EnvironmentName } from '../../shared/config/schema';

export type { Action, EnvironmentName, Principal, Role };

/** The signed-in caller, as GET /api/dashboard/me returns it. */
export interface Session {
  name: string;
  roles: Principal['roles'];
  /** The API's own rule (shared/auth/rbac `can`): a button shows only if the API would accept it. */
  can(action: Action, environment?: EnvironmentName): boolean;
}

export function toSession(principal: Principal): Session {
  return { name: principal.name, roles: principal.roles, can: (action, environment) => rbacCan(principal, action, environment) };
}

export const SessionContext = createContext<Session | undefined>(undefined);

/** The session of the signed-in caller; only pages rendered inside the signed-in app call this. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession: rendered outside the signed-in app (SessionContext is missing)');
  return session;
}
