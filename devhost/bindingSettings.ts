import { AutopilotError } from '../shared/errors';
import { resolveStorageTarget } from '../adapters/storageConnection';
import type { AzuritePorts } from '../adapters/developmentStorage';

export class StorageConnectionError extends AutopilotError {
  constructor(
    readonly setting: string,
    where: string,
  ) {
    super(
      `Storage connection setting '${setting}' (used by ${where}) is not set; ` +
        `add it to local.settings.json Values or the environment (e.g. "UseDevelopmentStorage=true")`,
    );
  }
}

/**
 * Resolves a binding's `connection` setting name to a connection string, as the host
 * does: the setting itself, else `AzureWebJobs<name>`; `UseDevelopmentStorage=true`
 * becomes an explicit string for the Azurite ports in use.
 */
export function resolveStorageConnection(
  setting: string | undefined,
  where: string,
  options: { env?: NodeJS.ProcessEnv; azuritePorts?: AzuritePorts } = {},
): string {
  const env = options.env ?? process.env;
  const name = setting && setting.trim() !== '' ? setting : 'AzureWebJobsStorage';
  const found = [name, `AzureWebJobs${name}`].find((candidate) => env[candidate]?.trim());
  if (!found) throw new StorageConnectionError(name, where);
  // The one resolver (adapters/storageConnection.ts); queue clients here take a connection string.
  const target = resolveStorageTarget(env, { connection: found, developmentPorts: options.azuritePorts });
  if (!('connectionString' in target)) throw new StorageConnectionError(found, where);
  return target.connectionString;
}

/**
 * Resolves `%SETTING%` binding expressions (queue names, schedules) from app settings,
 * as the host does for binding properties.
 */
export function resolveAppSettingExpression(text: string, where: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(/%([^%]+)%/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) {
      throw new AutopilotError(`${where}: app setting '${name}' referenced as %${name}% is not set; add it to local.settings.json Values`);
    }
    return value;
  });
}
