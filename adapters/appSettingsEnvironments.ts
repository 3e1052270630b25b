import { ENVIRONMENTS, type EnvironmentName } from '../shared/config/schema';
import { ConfigError } from '../shared/errors';

/** Environments the app settings give, each as autopilot.yaml would (parseConfig validates them). */
export type AppSettingsEnvironments = Partial<Record<EnvironmentName, Record<string, string>>>;

/**
 * The workspaces the deployment template names in app settings (infra/main.json):
 * AUTOPILOT_BACKEND=azure with AZURE_SUBSCRIPTION_ID, AUTOPILOT_RESOURCE_GROUP,
 * AUTOPILOT_LOCATION and AUTOPILOT_<DEV|STAGING|PROD>_WORKSPACE. They fill the environments
 * autopilot.yaml leaves out; an environment the file sets is the file's. Read by settingsFrom
 * (adapters/settings.ts) for the app, and by the doctor for the app it checks.
 */
export function environmentsFromAppSettings(env: Readonly<Record<string, string | undefined>>): AppSettingsEnvironments {
  const backend = env['AUTOPILOT_BACKEND']?.trim();
  if (!backend || backend === 'local') return {};
  if (backend !== 'azure') {
    throw new ConfigError('AUTOPILOT_BACKEND', [
      { path: 'AUTOPILOT_BACKEND', message: `'${backend}' is not a backend; use azure (or local, or leave it unset)` },
    ]);
  }
  const problems: { path: string; message: string }[] = [];
  const setting = (name: string) => {
    const value = env[name]?.trim();
    if (!value) problems.push({ path: name, message: 'is not set; AUTOPILOT_BACKEND=azure needs it (infra/main.json sets it)' });
    return value ?? '';
  };
  const shared = {
    backend: 'azure',
    subscriptionId: setting('AZURE_SUBSCRIPTION_ID'),
    resourceGroup: setting('AUTOPILOT_RESOURCE_GROUP'),
    location: setting('AUTOPILOT_LOCATION'),
  };
  const environments = Object.fromEntries(
    ENVIRONMENTS.map((e) => [e, { ...shared, workspace: setting(`AUTOPILOT_${e.toUpperCase()}_WORKSPACE`) }]),
  );
  if (problems.length) throw new ConfigError('app settings', problems);
  return environments;
}

/**
 * In Azure Functions (WEBSITE_INSTANCE_ID is set) the local backend cannot work: it keeps its
 * state in the app folder, which a package deployment mounts read-only, and serves endpoints on
 * a local port nobody can reach. Refused at start-up, with the fix.
 */
export function refuseLocalBackendOnAzure(environments: Record<EnvironmentName, { backend: string }>, onAzure: boolean): void {
  if (!onAzure) return;
  const local = ENVIRONMENTS.filter((e) => environments[e].backend === 'local');
  if (!local.length) return;
  throw new ConfigError(
    'autopilot.yaml',
    local.map((e) => ({
      path: `environments.${e}.backend`,
      message:
        'is local, but this app runs in Azure Functions (WEBSITE_INSTANCE_ID is set), where the local backend cannot keep state or serve endpoints. ' +
        `Set the app settings AUTOPILOT_BACKEND=azure and AUTOPILOT_${e.toUpperCase()}_WORKSPACE (infra/main.json does), or give environments.${e} backend: azure with its workspace in autopilot.yaml`,
    })),
  );
}
