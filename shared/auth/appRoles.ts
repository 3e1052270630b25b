import type { EnvironmentName } from '../config/schema';
import type { Principal, Role } from './rbac';

/**
 * The app roles of the API's Entra ID app registration (infra/entra-app.sh creates them) and
 * what each grants here: the classic split, data scientists in dev, ML engineers per
 * environment, readers everywhere. A token's `roles` claim carries the values.
 */
export const APP_ROLES: readonly { value: string; role: Role; environments: readonly EnvironmentName[]; description: string }[] = [
  {
    value: 'Reader',
    role: 'reader',
    environments: ['dev', 'staging', 'prod'],
    description: 'Read releases, models, endpoints, monitors and events',
  },
  {
    value: 'DataScientist.Dev',
    role: 'data_scientist',
    environments: ['dev'],
    description: 'Start and cancel releases and upload data in dev',
  },
  { value: 'MLEngineer.Dev', role: 'ml_engineer', environments: ['dev'], description: 'Operate releases in dev' },
  { value: 'MLEngineer.Staging', role: 'ml_engineer', environments: ['staging'], description: 'Operate releases in staging' },
  { value: 'MLEngineer.Prod', role: 'ml_engineer', environments: ['prod'], description: 'Approve, promote and roll back in prod' },
];

/** The principal a set of app role values makes; values this app does not define grant nothing. */
export function principalFromAppRoles(name: string, roleValues: readonly unknown[]): Principal {
  const roles = APP_ROLES.filter((r) => roleValues.includes(r.value)).map((r) => ({ role: r.role, environments: [...r.environments] }));
  return { name, roles };
}
