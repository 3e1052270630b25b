import { z } from 'zod';
import { EnvironmentName, ENVIRONMENTS } from '../config/schema';
import { AutopilotError, ForbiddenError } from '../errors';

/**
 * Roles of the classic Azure MLOps split: data scientists work in dev only; ML engineers
 * own staging and prod (approve, rollback, prod data); readers look.
 */
export const Role = z.enum(['ml_engineer', 'data_scientist', 'reader']);
export type Role = z.infer<typeof Role>;

export const Principal = z.object({
  name: z.string().min(1),
  roles: z.array(z.object({ role: Role, environments: z.array(EnvironmentName).default([...ENVIRONMENTS]) })),
});
export type Principal = z.infer<typeof Principal>;

export type Action = 'read' | 'release:start' | 'release:cancel' | 'release:approve' | 'release:rollback' | 'release:repair' | 'data:upload' | 'notifications:redeliver';

const ALLOWED: Record<Role, readonly Action[]> = {
  reader: ['read'],
  data_scientist: ['read', 'release:start', 'release:cancel', 'data:upload'],
  ml_engineer: ['read', 'release:start', 'release:cancel', 'release:approve', 'release:rollback', 'release:repair', 'data:upload', 'notifications:redeliver'],
};

/** The environment an action touches when the caller names none. */
const DEFAULT_ENVIRONMENT: Record<Action, EnvironmentName> = {
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

/** The environment an action is checked in when the route names none. */
export function defaultEnvironmentOf(action: Action): EnvironmentName {
  return DEFAULT_ENVIRONMENT[action];
}

/** A request without valid credentials. */
export class UnauthenticatedError extends AutopilotError {
  constructor() {
    super('missing or unknown token; send "Authorization: Bearer <token>": on Azure an Entra ID token for the API (az account get-access-token --scope api://<appId>/.default), locally one from .autopilot/tokens.json');
  }
}

export function can(principal: Principal, action: Action, environment?: EnvironmentName): boolean {
  const env = environment ?? DEFAULT_ENVIRONMENT[action];
  // Reading is not scoped: a reader of any environment may see releases and endpoints.
  return principal.roles.some(
    (grant) => ALLOWED[grant.role].includes(action) && (action === 'read' || grant.environments.includes(env)),
  );
}

/** Throws unless the principal may perform the action in the environment. */
export function authorize(principal: Principal | undefined, action: Action, environment?: EnvironmentName): Principal {
  if (!principal) throw new UnauthenticatedError();
  if (!can(principal, action, environment)) {
    throw new ForbiddenError(principal.name, action, environment ?? DEFAULT_ENVIRONMENT[action]);
  }
  return principal;
}
