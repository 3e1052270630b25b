import { isAbsolute, relative, resolve } from 'node:path';
import type { AutopilotConfig } from '../../../shared/config/schema';
import { checkResult, type CheckResult } from '../../../shared/doctor';
import { ConfigError } from '../../../shared/errors';
import { refuseLocalBackendOnAzure } from '../../appSettingsEnvironments';
import { runningOnAzure } from '../../settings';

/**
 * In Azure Functions (WEBSITE_INSTANCE_ID) the app folder is the deployed package, mounted
 * read-only: nothing may be configured to write there. A state folder inside it, or an
 * environment on the local backend (refuseLocalBackendOnAzure, the rule the app starts with).
 * Nothing to say elsewhere.
 */
export function appFolderCheck(config: AutopilotConfig | undefined, env: Record<string, string | undefined>, cwd: string): CheckResult[] {
  if (!env['WEBSITE_INSTANCE_ID']) return [];
  const name = 'app folder';
  // The Functions host names the script root; the doctor's folder otherwise.
  const appFolder = resolve(env['AzureWebJobsScriptRoot']?.trim() || cwd);
  const problems: string[] = [];
  const fixes: string[] = [];
  const stateDir = env['AUTOPILOT_STATE_DIR']?.trim();
  if (stateDir) {
    const inside = relative(appFolder, resolve(appFolder, stateDir));
    if (!inside.startsWith('..') && !isAbsolute(inside)) {
      problems.push(
        `AUTOPILOT_STATE_DIR '${stateDir}' is inside the app folder ${appFolder}, which the package deployment mounts read-only`,
      );
      fixes.push(
        'Remove the app setting AUTOPILOT_STATE_DIR: on the azure backend the app keeps its state in the storage account (az functionapp config appsettings delete -g <rg> -n <app> --setting-names AUTOPILOT_STATE_DIR)',
      );
    }
  }
  if (config) {
    try {
      refuseLocalBackendOnAzure(config.environments, runningOnAzure(env));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const issue of error.issues) problems.push(`${issue.path}: ${issue.message}`);
      fixes.push(
        'Give every environment backend: azure: the app settings AUTOPILOT_BACKEND=azure and AUTOPILOT_<ENV>_WORKSPACE (infra/main.json sets them), or the environment in autopilot.yaml',
      );
    }
  }
  if (problems.length) return [checkResult(name, 'fail', problems.join('\n'), fixes.length ? fixes.join('\n') : undefined)];
  return [
    checkResult(
      name,
      'ok',
      `nothing is set to write under ${appFolder} (read-only in Azure Functions): ${stateDir ? `AUTOPILOT_STATE_DIR is outside it` : 'no AUTOPILOT_STATE_DIR'}${config ? ', no environment on the local backend' : ''}`,
    ),
  ];
}
