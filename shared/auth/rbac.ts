import type { EnvironmentName } from '../config/schema';
import { AutopilotError, ForbiddenError } from '../errors';
import { can, DEFAULT_ENVIRONMENT, type Action } from './permissions';
import type { Principal } from './principal';

// The schemas live in ./principal.ts so ./permissions.ts can name their types without importing this file.
export { Principal, Role } from './principal';
export { can, DEFAULT_ENVIRONMENT, type Action } from './permissions';

/** The environment an action is checked in when the route names none. */
export function defaultEnvironmentOf(action: Action): EnvironmentName {
  return DEFAULT_ENVIRONMENT[action];
}

/** A request without valid credentials. */
export class UnauthenticatedError extends AutopilotError {
  constructor() {
    super(
      'missing or unknown token; send "Authorization: Bearer <token>": on Azure an Entra ID token for the API (az account get-access-token --scope api://<appId>/.default), locally one from .autopilot/tokens.json',
    );
  }
}

/** Throws unless the principal may perform the action in the environment. */
export function authorize(principal: Principal | undefined, action: Action, environment?: EnvironmentName): Principal {
  if (!principal) throw new UnauthenticatedError();
  if (!can(principal, action, environment)) {
    throw new ForbiddenError(principal.name, action, environment ?? DEFAULT_ENVIRONMENT[action]);
  }
  return principal;
}
