import { resolve } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { ENVIRONMENTS, type AutopilotConfig, type EnvironmentName } from '../../../shared/config/schema';
import { canaryTimingChecks, checkResult, promotionCheck, withCheckTimeout, withDeadline, type CheckResult } from '../../../shared/doctor';
import { ConfigError } from '../../../shared/errors';
import { DEFAULT_ENGINE_OPTIONS } from '../../../shared/release/context';
import { loadConfigFile } from '../../configFile';
import { findAzureCoordinates, type AzureCoordinates } from '../workspace/azureWorkspaces';
import { azureSettingsFrom } from '../../settings';
import { environmentsFromAppSettings } from '../../appSettingsEnvironments';
import { DEFAULT_DATA_DATASTORE } from '../workspace/datastoreInputs';
import { appFolderCheck } from './appFolderCheck';
import { createDoctorArmClient } from './armDoctorClient';
import { armScope, DEFAULT_ARM_ENDPOINT } from '../armMlClient';
import { checkCredential, credentialTimedOut, type CredentialOutcome } from './credentialCheck';
import { resolveDoctorStorageTarget } from './doctorStorageTarget';
import { collectSpecAssets } from './specAssets';
import { checkSignIn } from './signInCheck';
import { checkStorage } from './storageChecks';
import { checkAzureWorkspace } from './workspaceChecks';

export interface RunDoctorOptions {
  /** autopilot.yaml, relative to `cwd`. @default env AUTOPILOT_CONFIG, else autopilot.yaml */
  configPath?: string;
  /** Settings (AzureWebJobsStorage, AUTOPILOT_ARM_ENDPOINT…). @default process.env */
  env?: Record<string, string | undefined>;
  /** Where relative paths and local.settings.json are looked up. @default process.cwd() */
  cwd?: string;
  /** The Azure credential. @default DefaultAzureCredential, created only when something needs it */
  credential?: TokenCredential;
  /** ARM base URL. @default env AUTOPILOT_ARM_ENDPOINT, else https://management.azure.com */
  armEndpoint?: string;
  /** Extra CA certificate to trust for ARM (tests; in a child process NODE_EXTRA_CA_CERTS does this). @default none */
  trustedCa?: string;
  /** Deadline of each check. @default 15000 */
  timeoutMs?: number;
}

/**
 * Runs every check of `autopilot doctor` and returns the results in report order: config,
 * storage, credential, then each environment, canary timing, promotion, sign-in and (in Azure
 * Functions) the app folder. Checks that need an earlier one (a workspace
 * needs a credential) are skipped, with the reason, when it failed.
 */
export async function runDoctor(options: RunDoctorOptions = {}): Promise<CheckResult[]> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const armEndpoint = options.armEndpoint ?? env.AUTOPILOT_ARM_ENDPOINT ?? DEFAULT_ARM_ENDPOINT;
  const configPath = options.configPath ?? env.AUTOPILOT_CONFIG ?? 'autopilot.yaml';
  const results: CheckResult[] = [];

  // With the app settings, as the app loads it: AUTOPILOT_BACKEND=azure and the workspace settings fill environments.
  const loaded = loadConfig(resolve(cwd, configPath), configPath, env);
  results.push(loaded.result);
  const config = loaded.config;
  const backends = ENVIRONMENTS.map((e) => [e, config?.environments[e].backend] as const);
  const azureEnvs = backends.filter(([, backend]) => backend === 'azure').map(([e]) => e);
  const needsCredential = azureEnvs.length > 0;
  let credential = options.credential;
  const credentialLabel = options.credential ? 'the credential' : 'DefaultAzureCredential';
  if (needsCredential && !credential) credential = new DefaultAzureCredential();

  const credentialCheck: Promise<CredentialOutcome | undefined> = needsCredential
    ? withDeadline<CredentialOutcome>(
        timeoutMs,
        (signal) => checkCredential(credential!, armScope(armEndpoint), credentialLabel, signal),
        () => credentialTimedOut(credentialLabel, timeoutMs),
      )
    : Promise.resolve(undefined);
  const storageNeeds = {
    dataContainers: config ? [...new Set(Object.values(config.pipelines).map((p) => p.data.container))] : ['training-data'],
    artifactsContainer: DEFAULT_ENGINE_OPTIONS.artifactsContainer,
  };
  const storageTarget = resolveDoctorStorageTarget(env, cwd, options.credential ? { credential: options.credential } : {});
  const storageCheck = withCheckTimeout('storage', timeoutMs, async (signal) => checkStorage(storageTarget, storageNeeds, signal));
  const signIn = withCheckTimeout('sign-in', timeoutMs, (signal) => checkSignIn(env, signal));
  const [storage, credentialOutcome] = await Promise.all([storageCheck, credentialCheck]);
  results.push(...storage);
  results.push(
    credentialOutcome?.result ??
      checkResult(
        'credential',
        'skip',
        config ? 'no environment uses backend: azure, so no ARM credential is needed' : 'needs a valid autopilot.yaml',
      ),
  );

  if (!config) {
    results.push(checkResult('environments', 'skip', 'needs a valid autopilot.yaml'));
    results.push(...(await signIn), ...appFolderCheck(undefined, env, cwd));
    return results;
  }
  // Where jobs read the app's blobs: the datastore the app submits inputs through, on the app's account.
  let dataDatastore = DEFAULT_DATA_DATASTORE;
  if (azureEnvs.length) {
    try {
      dataDatastore = azureSettingsFrom(env as NodeJS.ProcessEnv).dataDatastore ?? DEFAULT_DATA_DATASTORE;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      results.push(
        checkResult('app settings', 'fail', error.message, 'Correct the app settings named above (the app refuses to start with them)'),
      );
    }
  }
  const appAccount = storageTarget.kind === 'connectionString' || storageTarget.kind === 'identity' ? storageTarget.accountName : undefined;
  const app = { containerName: DEFAULT_ENGINE_OPTIONS.artifactsContainer, ...(appAccount ? { accountName: appAccount } : {}) };
  const onAzure = !!env.WEBSITE_INSTANCE_ID;
  const { assets, problems } = collectSpecAssets(config, azureEnvs, cwd);
  results.push(...problems);
  const coordinates = coordinatesByEnvironment(config);
  const perEnvironment = await Promise.all(
    backends.map(async ([environment, backend]): Promise<CheckResult[]> => {
      if (backend !== 'azure') return [checkResult(`${environment}: backend`, 'skip', 'local backend: nothing to check in Azure')];
      const coords = coordinates[environment];
      if ('issues' in coords) {
        return [
          checkResult(
            `${environment}: workspace`,
            'fail',
            `autopilot.yaml lacks coordinates:\n${coords.issues.map((i) => `  - ${i}`).join('\n')}`,
            `Add them under environments.${environment} in ${loaded.file}`,
          ),
        ];
      }
      if (!credentialOutcome?.ok)
        return [checkResult(`${environment}: workspace`, 'skip', 'needs a working Azure credential (see credential)')];
      const client = createDoctorArmClient(coords.subscriptionId, {
        endpoint: armEndpoint,
        credential: credential!,
        ...(options.trustedCa ? { trustedCa: options.trustedCa } : {}),
      });
      return withCheckTimeout(`${environment}: workspace`, timeoutMs, (signal) =>
        checkAzureWorkspace(environment, coords, assets[environment], {
          client,
          armEndpoint,
          signal,
          ...(credentialOutcome.principalId ? { principalId: credentialOutcome.principalId } : {}),
          data: { datastore: dataDatastore, app },
          jobDataRole: { onAzure, ...(appAccount ? { accountName: appAccount } : {}) },
          metricPipelines: Object.keys(config.pipelines),
        }),
      );
    }),
  );
  for (const list of perEnvironment) results.push(...list);
  results.push(...canaryTimingChecks(config, configPath));
  results.push(...promotionCheck(config, configPath));
  results.push(...(await signIn), ...appFolderCheck(config, env, cwd));
  return results;
}

function loadConfig(
  file: string,
  shown: string,
  env: Record<string, string | undefined>,
): { result: CheckResult; config?: AutopilotConfig; file: string } {
  try {
    const { config } = loadConfigFile(file, environmentsFromAppSettings(env));
    const backends = ENVIRONMENTS.map((e) => `${e}: ${config.environments[e].backend}`).join(', ');
    const pipelines = Object.keys(config.pipelines);
    return {
      result: checkResult(
        'config',
        'ok',
        `${shown} loads (${pipelines.length} pipeline${pipelines.length === 1 ? '' : 's'}: ${pipelines.join(', ')}; ${backends})`,
      ),
      config,
      file,
    };
  } catch (error) {
    const fix =
      error instanceof ConfigError && error.issues.some((i) => i.message.startsWith('file not found'))
        ? 'Pass --config <file> or set AUTOPILOT_CONFIG; the repository root has an example autopilot.yaml'
        : `Correct the entries listed above in ${shown} (docs/configuration.md describes every field)`;
    return { result: checkResult('config', 'fail', error instanceof Error ? error.message : String(error), fix), file };
  }
}

/** Per environment: its coordinates, or its missing fields. */
function coordinatesByEnvironment(config: AutopilotConfig): Record<EnvironmentName, AzureCoordinates | { issues: string[] }> {
  const out = {} as Record<EnvironmentName, AzureCoordinates | { issues: string[] }>;
  const { coordinates: found, issues } = findAzureCoordinates(config);
  for (const e of ENVIRONMENTS) {
    const mine = issues.filter((i) => i.path.startsWith(`environments.${e}.`)).map((i) => `${i.path}: ${i.message}`);
    out[e] = mine.length ? { issues: mine } : (found[e] ?? { issues: [] });
  }
  return out;
}
