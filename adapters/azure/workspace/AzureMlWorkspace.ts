import type { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import type { EnvironmentName } from '../../../shared/config/schema';
import type {
  ShadowOptions,
  DeployRequest,
  DeploymentInfo,
  DeploymentLogs,
  DeploymentLogsOptions,
  EndpointInfo,
  InvokeResult,
  JobInfo,
  LoadRequest,
  MlWorkspace,
  ModelRef,
  ModelSource,
  ModelVersion,
  RegisterModelRequest,
  ScoreRequest,
  ScoreResponse,
  ShadowReport,
  SubmitJobRequest,
  TrafficWindow,
  CollectedInferenceBatch,
} from '../../../shared/ports';
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
 * The MlWorkspace port on an Azure ML workspace, through the ARM SDK. A facade: jobs, models,
 * online endpoints and scoring each live in their own piece over one shared ArmWorkspaceClient.
 */
export class AzureMlWorkspace implements MlWorkspace {
  readonly environment: EnvironmentName;
  readonly client: AzureMachineLearningWorkspaces;
  private readonly arm: ArmWorkspaceClient;
  private readonly jobs: AzureJobs;
  private readonly models: AzureModels;
  private readonly endpoints: AzureOnlineEndpoints;
  private readonly scoring: AzureScoring;
  private readonly logs: AzureDeploymentLogs;
  private readonly collected: AzureCollectedData;

  constructor(options: AzureMlWorkspaceOptions & AzureDeploymentLogsOptions) {
    this.environment = options.environment;
    this.arm = new ArmWorkspaceClient(options);
    this.client = this.arm.client;
    this.jobs = new AzureJobs(this.arm, options);
    this.models = new AzureModels(this.arm, options.modelRegistry);
    // Endpoints and scoring reach each other through this port, not through each other.
    this.endpoints = new AzureOnlineEndpoints(this.arm, options.environment, this);
    this.scoring = new AzureScoring(this.arm, this, options);
    this.logs = new AzureDeploymentLogs(this.arm, options);
    this.collected = new AzureCollectedData(this.arm, options.credential, this);
  }

  get workspacePath(): string {
    return this.arm.workspacePath;
  }

  // ------------------------------------------------------------ jobs

  submitJob(request: SubmitJobRequest): Promise<JobInfo> {
    return this.jobs.submitJob(request);
  }
  getJob(name: string): Promise<JobInfo | undefined> {
    return this.jobs.getJob(name);
  }
  /** Status, error and the Studio link: the log files themselves sit in the workspace datastore. */
  jobLog(name: string, maxBytes?: number): Promise<string> {
    return this.jobs.jobLog(name, maxBytes);
  }
  cancelJob(name: string): Promise<void> {
    return this.jobs.cancelJob(name);
  }

  // ------------------------------------------------------------ models

  registerModel(request: RegisterModelRequest): Promise<ModelVersion> {
    return this.models.registerModel(request);
  }
  getModel(ref: ModelRef): Promise<ModelVersion | undefined> {
    return this.models.getModel(ref);
  }
  listModels(name?: string): Promise<ModelVersion[]> {
    return this.models.listModels(name);
  }
  /** Promotion: shared into the registry when one is configured, else a new version here on the same asset; idempotent by source. */
  importModel(from: ModelVersion, fromEnvironment: EnvironmentName): Promise<ModelVersion> {
    return this.models.importModel(from, fromEnvironment);
  }

  // ------------------------------------------------------------ endpoints

  deploy(request: DeployRequest): Promise<DeploymentInfo> {
    return this.endpoints.deploy(request);
  }
  setTraffic(endpoint: string, traffic: Record<string, number>): Promise<EndpointInfo> {
    return this.endpoints.setTraffic(endpoint, traffic);
  }
  deleteDeployment(endpoint: string, deployment: string): Promise<void> {
    return this.endpoints.deleteDeployment(endpoint, deployment);
  }
  getEndpoint(name: string): Promise<EndpointInfo | undefined> {
    return this.endpoints.getEndpoint(name);
  }
  listEndpoints(): Promise<EndpointInfo[]> {
    return this.endpoints.listEndpoints();
  }
  /** Mirror traffic within one endpoint, via the newer api-version (the SDK model has no `mirrorTraffic`). */
  setShadow(endpoint: string, target: { endpoint: string; deployment: string }, percent: number, _options?: ShadowOptions): Promise<void> {
    return this.endpoints.setShadow(endpoint, target, percent);
  }
  /** Mirrored requests and 5xx of both sides since the shadow was set, from Monitor metrics. */
  shadowReport(endpoint: string): Promise<ShadowReport> {
    return this.endpoints.shadowReport(endpoint);
  }
  /** getLogs of the running container, or AmlOnlineEndpointConsoleLog when a Log Analytics workspace is configured. */
  deploymentLogs(endpoint: string, deployment: string, options?: DeploymentLogsOptions): Promise<DeploymentLogs> {
    return this.logs.deploymentLogs(endpoint, deployment, options);
  }

  /** What Azure ML's data collector wrote for the endpoint (deployments with data_collector), as our records. */
  collectedInference(
    endpoint: string,
    fromIso: string,
    toIso: string,
    excludedColumns: readonly string[],
  ): AsyncIterable<CollectedInferenceBatch> {
    return this.collected.collectedInference(endpoint, fromIso, toIso, excludedColumns);
  }

  // ------------------------------------------------------------ scoring and traffic

  invokeEndpoint(
    endpoint: string,
    request: ScoreRequest,
    options: { deployment?: string; synthetic?: boolean } = {},
  ): Promise<InvokeResult> {
    return this.scoring.invokeEndpoint(endpoint, request, options);
  }
  /** Azure has no endpoint-less scoring: a deployment scores instead (see AzureScoring.scoreBatch). */
  scoreBatch(source: ModelSource, specPath: string, request: ScoreRequest): Promise<ScoreResponse> {
    return this.scoring.scoreBatch(source, specPath, request);
  }
  /** Removes the evaluation deployment of a job output once the gate has its scores (it bills per hour). */
  finishedScoring(source: ModelSource): Promise<void> {
    return this.scoring.finishedScoring(source);
  }
  trafficSince(endpoint: string, since: string, slowThresholdsMs: number[]): Promise<TrafficWindow> {
    return this.scoring.trafficSince(endpoint, since, slowThresholdsMs);
  }
  /** Starts or updates a synthetic load against the endpoint's scoring URI (rate and in-flight bounded). */
  ensureLoad(request: LoadRequest): Promise<void> {
    return this.scoring.ensureLoad(request);
  }
  async stopLoad(id: string): Promise<void> {
    this.scoring.stopLoad(id);
  }
  /** Counters of a load: sent, answers per deployment, errors, skipped ticks. */
  loadStatus(id: string) {
    return this.scoring.loadStatus(id);
  }
  /** Stops every synthetic load of this workspace (on shutdown). */
  async stop(): Promise<void> {
    this.scoring.stopAll();
  }
}
