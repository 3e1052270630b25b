import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import { ENVIRONMENTS, type AutopilotConfig, type EnvironmentName } from '../../../shared/config/schema';
import { ConfigError } from '../../../shared/errors';
import { azureMlWorkspace, type AzureDeploymentLogsOptions, type AzureMlWorkspace, type AzureMlWorkspaceOptions } from './AzureMlWorkspace';
import { AzureMlRegistry } from './azureRegistry';
import type { ModelRegistryOption } from './azureMlWorkspaceOptions';

import type { AzureCoordinates } from '../armMlClient';

export type { AzureCoordinates };

const REQUIRED = ['subscriptionId', 'resourceGroup', 'workspace', 'location'] as const;

/**
 * The coordinates of every environment whose backend is azure; one ConfigError lists
 * every missing field of every such environment, so the user fixes them in one go.
 */
export function azureCoordinates(config: AutopilotConfig, file: string): Partial<Record<EnvironmentName, AzureCoordinates>> {
  const { coordinates, issues } = findAzureCoordinates(config);
  if (issues.length) throw new ConfigError(file, issues);
  return coordinates;
}

/** The coordinates of the complete azure environments, and every missing field of the others. */
export function findAzureCoordinates(config: AutopilotConfig): {
  coordinates: Partial<Record<EnvironmentName, AzureCoordinates>>;
  issues: { path: string; message: string }[];
} {
  const out: Partial<Record<EnvironmentName, AzureCoordinates>> = {};
  const issues: { path: string; message: string }[] = [];
  for (const env of ENVIRONMENTS) {
    const settings = config.environments[env];
    if (settings.backend !== 'azure') continue;
    const missing = REQUIRED.filter((field) => !settings[field]?.trim());
    for (const field of missing) {
      issues.push({ path: `environments.${env}.${field}`, message: `required with backend: azure (${HINTS[field]})` });
    }
    if (!missing.length)
      out[env] = {
        subscriptionId: settings.subscriptionId!,
        resourceGroup: settings.resourceGroup!,
        workspace: settings.workspace!,
        location: settings.location!,
      };
  }
  return { coordinates: out, issues };
}

const HINTS: Record<(typeof REQUIRED)[number], string> = {
  subscriptionId: 'the subscription id of the Azure ML workspace, see `az account show --query id`',
  resourceGroup: 'the resource group that holds the workspace',
  workspace: 'the Azure ML workspace name',
  location: 'the workspace region, e.g. westeurope; see `az ml workspace show --query location`',
};

/**
 * The workspace roles of one azure environment. The credential defaults to
 * DefaultAzureCredential: managed identity in Azure, `az login` on a laptop.
 */
export function createAzureWorkspace(
  environment: EnvironmentName,
  coordinates: AzureCoordinates,
  options: Partial<Omit<AzureMlWorkspaceOptions, 'environment' | keyof AzureCoordinates>> &
    AzureDeploymentLogsOptions & { credential?: TokenCredential } = {},
): AzureMlWorkspace {
  return azureMlWorkspace({ ...options, ...coordinates, environment, credential: options.credential ?? new DefaultAzureCredential() });
}

/** App settings of the azure backend: where the APIs are (sovereign clouds, private endpoints) and its waits; adapters/settings.ts validates them. */
export interface AzureAppSettings {
  /** ARM base URL (app setting AUTOPILOT_ARM_ENDPOINT). @default https://management.azure.com */
  armEndpoint?: string;
  /** Azure Monitor metrics data plane (AUTOPILOT_METRICS_ENDPOINT). @default https://{location}.metrics.monitor.azure.com */
  metricsEndpoint?: string;
  /** Log Analytics query API, for deployment logs (AUTOPILOT_LOGS_ENDPOINT). @default https://api.loganalytics.io */
  logsEndpoint?: string;
  /** Seconds one step waits for a deployment being provisioned (AUTOPILOT_PROVISIONING_WAIT_SECONDS). @default 60 */
  provisioningWaitSeconds?: number;
  /** Seconds after a minute ends before its Monitor metrics are read (AUTOPILOT_METRICS_DELAY_SECONDS). @default 60 */
  metricsDelaySeconds?: number;
  /** Azure ML registry discovery, for azure.registry (AUTOPILOT_REGISTRY_DISCOVERY_ENDPOINT). @default https://eastus.api.azureml.ms */
  registryDiscoveryEndpoint?: string;
  /** Datastore jobs read the app's blobs through (AUTOPILOT_DATA_DATASTORE). @default autopilot_artifacts */
  dataDatastore?: string;
}

/**
 * The workspace adapters of every azure environment of the config (coordinates checked
 * first, one ConfigError for all missing fields). Building them calls no Azure API.
 */
export function createAzureWorkspaces(
  config: AutopilotConfig,
  file: string,
  options: AzureAppSettings & { credential?: TokenCredential } = {},
): Partial<Record<EnvironmentName, AzureMlWorkspace>> {
  const coordinates = azureCoordinates(config, file);
  // One credential for all environments: its token cache then serves every workspace.
  const credential = options.credential ?? (Object.keys(coordinates).length ? new DefaultAzureCredential() : undefined);
  const out: Partial<Record<EnvironmentName, AzureMlWorkspace>> = {};
  const modelRegistry = azureModelRegistry(config, coordinates, options, credential);
  for (const [env, coords] of Object.entries(coordinates) as [EnvironmentName, AzureCoordinates][]) {
    out[env] = createAzureWorkspace(env, coords, {
      credential,
      // dev registers job outputs in its workspace; the environments promoted into deploy registry assets.
      ...(modelRegistry && env !== 'dev' ? { modelRegistry } : {}),
      ...(options.armEndpoint ? { endpoint: options.armEndpoint } : {}),
      ...(options.metricsEndpoint ? { metricsEndpoint: options.metricsEndpoint } : {}),
      ...(options.logsEndpoint ? { logsEndpoint: options.logsEndpoint } : {}),
      ...(options.dataDatastore ? { dataDatastore: options.dataDatastore } : {}),
      ...(options.provisioningWaitSeconds !== undefined ? { provisioningWaitSeconds: options.provisioningWaitSeconds } : {}),
      ...(options.metricsDelaySeconds !== undefined ? { metricsDelaySeconds: options.metricsDelaySeconds } : {}),
      ...(config.environments[env].logAnalyticsWorkspaceId
        ? { logAnalyticsWorkspaceId: config.environments[env].logAnalyticsWorkspaceId }
        : {}),
    });
  }
  return out;
}

/**
 * The registry promotion goes through (azure.registry), or none: promotion then registers
 * the source's URI in the next workspace, which only works where that URI resolves there.
 */
function azureModelRegistry(
  config: AutopilotConfig,
  coordinates: Partial<Record<EnvironmentName, AzureCoordinates>>,
  options: AzureAppSettings & { credential?: TokenCredential },
  credential: TokenCredential | undefined,
): ModelRegistryOption | undefined {
  const registry = config.azure?.registry;
  if (!registry || !credential) return undefined;
  return {
    registry: new AzureMlRegistry(registry, {
      credential,
      endpoint: options.armEndpoint,
      discoveryEndpoint: options.registryDiscoveryEndpoint,
    }),
    workspaces: coordinates,
  };
}
