import type { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { EnvironmentName } from '../../../shared/config/schema';
import type { TrafficSignals, WorkspaceRoles } from '../../../shared/ports';
import { ArmWorkspaceClient } from './armWorkspaceClient';
import type { AzureMlWorkspaceOptions } from './azureMlWorkspaceOptions';
import { AzureJobs } from './azureJobs';
import { AzureModels } from './azureModels';
import { AzureOnlineEndpoints } from './azureOnlineEndpoints';
import { AzureScoring } from './azureScoring';
import { AzureCollectedData } from './azureCollectedData';
import { AzureDeploymentLogs, type AzureDeploymentLogsOptions } from './azureDeploymentLogs';

export { MIRROR_API_VERSION, STABLE_API_VERSION } from './armWorkspaceClient';
export type { AzureMlWorkspaceOptions } from './azureMlWorkspaceOptions';
export type { AzureDeploymentLogsOptions } from './azureDeploymentLogs';

/**
 * An Azure ML workspace as the core's roles, each filled by the piece that does it, all over
 * one shared ArmWorkspaceClient: scoring (requests, evaluation, Monitor metrics, synthetic
 * load) plays four roles, online endpoints two (deployments and traffic, mirroring).
 */
export interface AzureMlWorkspace extends WorkspaceRoles {
  readonly environment: EnvironmentName;
  readonly client: AzureMachineLearningWorkspaces;
  readonly workspacePath: string;
  jobs: AzureJobs;
  models: AzureModels;
  endpoints: AzureOnlineEndpoints;
  scoring: AzureScoring;
  batch: AzureScoring;
  traffic: AzureScoring;
  shadow: AzureOnlineEndpoints;
  load: AzureScoring;
  logs: AzureDeploymentLogs;
  collected: AzureCollectedData;
  /** Stops every synthetic load of this workspace (on shutdown). */
  stop(): Promise<void>;
}

/** The roles of one Azure ML workspace, through the ARM SDK. Building them calls no Azure API. */
export function azureMlWorkspace(options: AzureMlWorkspaceOptions & AzureDeploymentLogsOptions): AzureMlWorkspace {
  const arm = new ArmWorkspaceClient(options);
  const models = new AzureModels(arm, options.modelRegistry);
  // Endpoints and scoring need each other (shadow reports read traffic metrics; evaluation
  // deploys): the endpoints reach the metrics through this late-bound role.
  const traffic: TrafficSignals = { trafficSince: (...args) => scoring.trafficSince(...args) };
  const endpoints = new AzureOnlineEndpoints(arm, options.environment, traffic);
  const scoring = new AzureScoring(arm, { endpoints, models }, options);
  return {
    environment: options.environment,
    client: arm.client,
    workspacePath: arm.workspacePath,
    jobs: new AzureJobs(arm, options),
    models,
    endpoints,
    scoring,
    batch: scoring,
    traffic: scoring,
    shadow: endpoints,
    load: scoring,
    logs: new AzureDeploymentLogs(arm, options),
    collected: new AzureCollectedData(arm, options.credential, options.environment, endpoints),
    stop: async () => scoring.stopAll(),
  };
}
