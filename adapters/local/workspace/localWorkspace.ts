import { join, resolve } from 'node:path';
import type { EnvironmentName } from '../../../shared/config/schema';
import { AutopilotError, BadRequestError, NotFoundError } from '../../../shared/errors';
import type {
  ShadowOptions,
  DeploymentLogs,
  DeploymentLogsOptions,
  DeployRequest,
  EndpointInfo,
  InvokeResult,
  JobInfo,
  LoadRequest,
  Logger,
  MlWorkspace,
  ModelFormat,
  ModelRef,
  ModelSource,
  ModelVersion,
  RegisterModelRequest,
  ScoreRequest,
  ScoreResponse,
  ShadowReport,
  SubmitJobRequest,
  TrafficWindow,
} from '../../../shared/ports';
import type { LocalEndpointHost } from '../inference/endpointHost';
import { checkLoadDeployments, toLoadSettings } from '../../load/loadSettings';
import type { LoadStatus } from '../../load/syntheticLoad';
import { JobRunner } from './jobRunner';
import type { FetchInput } from './materializeInputs';
import { ModelRegistry } from './modelRegistry';
import { OnlineEndpoints, type LocalDeploymentInfo } from './onlineEndpoints';
import { BatchScoring } from './scoreBatch';

export interface LocalWorkspaceOptions {
  environment: EnvironmentName;
  /** Folder of this environment's jobs, models and endpoints (e.g. `.autopilot/workspaces/dev`). */
  rootDir: string;
  /** The process-wide router its endpoints are served through. */
  endpointHost: LocalEndpointHost;
  /** Downloads http(s) job inputs (backed by Blob Storage). */
  fetchInput: FetchInput;
  /** @default 2 */
  maxConcurrentJobs?: number;
  /** Every line a job prints, for progress displays. @default none */
  onJobLog?: (job: string, line: string) => void;
  logger?: Logger;
}

/**
 * One environment's ML workspace on this machine: command jobs as child processes, a
 * file-backed model registry, online endpoints served by child-process scoring servers.
 */
export class LocalWorkspace implements MlWorkspace {
  readonly environment: EnvironmentName;
  readonly rootDir: string;
  private readonly jobs: JobRunner;
  private readonly models: ModelRegistry;
  private readonly endpoints: OnlineEndpoints;
  private readonly host: LocalEndpointHost;
  private started = false;
  private stopped = false;
  private readonly batchScoring = new BatchScoring();

  constructor(options: LocalWorkspaceOptions) {
    this.environment = options.environment;
    this.rootDir = resolve(options.rootDir);
    this.host = options.endpointHost;
    const jobOptions: ConstructorParameters<typeof JobRunner>[1] = { fetchInput: options.fetchInput };
    if (options.maxConcurrentJobs !== undefined) jobOptions.maxConcurrentJobs = options.maxConcurrentJobs;
    if (options.onJobLog) jobOptions.onLog = options.onJobLog;
    if (options.logger) jobOptions.logger = options.logger;
    this.jobs = new JobRunner(join(this.rootDir, 'jobs'), jobOptions);
    this.models = new ModelRegistry(join(this.rootDir, 'models'), { resolveJobOutput: (job, output) => this.jobOutput(job, output) });
    this.endpoints = new OnlineEndpoints({
      environment: this.environment,
      dir: join(this.rootDir, 'endpoints'),
      host: options.endpointHost,
      getModel: (ref) => this.models.get(ref),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  /**
   * Restores the endpoints of a previous run (their scoring servers are live when this
   * resolves) and re-attaches to the jobs a killed host left running; jobs whose process
   * is gone are resubmitted when their stage asks for them (getJob).
   */
  async start(): Promise<void> {
    if (this.stopped) throw new AutopilotError(`LocalWorkspace(${this.environment}) was stopped; create a new one to serve again`);
    if (this.started) return;
    this.started = true;
    await Promise.all([this.endpoints.start(), this.jobs.reattach()]);
  }

  /** Kills this workspace's jobs (left queued, resubmitted at the next start), loads and scoring servers and writes the inference data collected so far; the endpoint host keeps running. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopped = true;
    this.host.stopLoads(this.loadKey(''));
    await Promise.all([this.jobs.stop(), this.endpoints.stop(), this.batchScoring.stop()]);
    await this.host.flushCollected();
  }

  submitJob(request: SubmitJobRequest): Promise<JobInfo> {
    return this.jobs.submit(request);
  }
  getJob(name: string): Promise<JobInfo | undefined> {
    return this.jobs.get(name);
  }
  /** Resolves when the job has ended (local only: Azure callers poll getJob or use events). */
  waitForJob(name: string, options: { timeoutMs?: number } = {}): Promise<JobInfo> {
    return this.jobs.waitFor(name, options);
  }
  cancelJob(name: string): Promise<void> {
    return this.jobs.cancel(name);
  }
  jobLog(name: string, maxBytes?: number): Promise<string> {
    return this.jobs.log(name, maxBytes);
  }

  registerModel(request: RegisterModelRequest): Promise<ModelVersion> {
    return this.models.register(request);
  }
  getModel(ref: ModelRef): Promise<ModelVersion | undefined> {
    return this.models.get(ref);
  }
  listModels(name?: string): Promise<ModelVersion[]> {
    return this.models.list(name);
  }
  importModel(from: ModelVersion, fromEnvironment: EnvironmentName): Promise<ModelVersion> {
    return this.models.import(from, fromEnvironment);
  }

  deploy(request: DeployRequest): Promise<LocalDeploymentInfo> {
    this.requireStarted('deploy');
    return this.endpoints.deploy(request);
  }
  setTraffic(endpoint: string, traffic: Record<string, number>): Promise<EndpointInfo> {
    this.requireStarted('setTraffic');
    return this.endpoints.setTraffic(endpoint, traffic);
  }
  /** Shadow traffic (Azure ML `mirror_traffic`): copies of requests, answers discarded. */
  setMirrorTraffic(endpoint: string, mirrorTraffic: Record<string, number>): Promise<EndpointInfo> {
    this.requireStarted('setMirrorTraffic');
    return this.endpoints.setMirrorTraffic(endpoint, mirrorTraffic);
  }
  deleteDeployment(endpoint: string, deployment: string): Promise<void> {
    this.requireStarted('deleteDeployment');
    return this.endpoints.deleteDeployment(endpoint, deployment);
  }
  /** What the deployment's scoring server printed (stdout and stderr, time-stamped as read). */
  deploymentLogs(endpoint: string, deployment: string, options?: DeploymentLogsOptions): Promise<DeploymentLogs> {
    return this.endpoints.logs(endpoint, deployment, options);
  }
  async getEndpoint(name: string): Promise<EndpointInfo | undefined> {
    return this.endpoints.get(name);
  }
  async listEndpoints(): Promise<EndpointInfo[]> {
    return this.endpoints.list();
  }

  async scoreBatch(
    source: ModelSource,
    specPath: string,
    request: ScoreRequest,
    options: { signal?: AbortSignal } = {},
  ): Promise<ScoreResponse> {
    const { dir, label, format } = await this.scoringSource(source);
    return this.batchScoring.score(dir, label, specPath, request, { ...options, format });
  }

  /** Stops the scoring server scoreBatch kept for `source`. */
  async finishedScoring(source: ModelSource): Promise<void> {
    const { dir } = await this.scoringSource(source).catch(() => ({ dir: undefined }));
    if (dir) await this.batchScoring.finished(dir);
  }

  private async scoringSource(source: ModelSource): Promise<{ dir: string; label: string; format: ModelFormat }> {
    if ('job' in source) {
      const output = await this.jobOutput(source.job, source.output);
      return { dir: output.path, label: `output '${source.output}' of job ${source.job}`, format: source.format ?? 'custom_model' };
    }
    const model = await this.models.get(source);
    if (!model) throw new NotFoundError('model', `${source.name}:${source.version}`, `no such version in ${this.environment}`);
    return { dir: model.path, label: `model ${model.name}:${model.version}`, format: model.format ?? 'custom_model' };
  }

  /** One request through the router (measured like live traffic); HTTP failures are results, not throws. */
  async invokeEndpoint(
    endpoint: string,
    request: ScoreRequest,
    options: { deployment?: string; synthetic?: boolean } = {},
  ): Promise<InvokeResult> {
    this.requireEndpoint(endpoint);
    return this.host.invoke(endpoint, request, options);
  }

  /** See LocalEndpointHost.trafficSince: pass the returned `until` as the next `since`. */
  async trafficSince(endpoint: string, since: string, slowThresholdsMs: number[]): Promise<TrafficWindow> {
    this.requireEndpoint(endpoint);
    return this.host.trafficSince(endpoint, since, slowThresholdsMs);
  }

  /** Copies `percent` of `endpoint`'s live requests to `target`, which may be another environment's endpoint. */
  async setShadow(
    endpoint: string,
    target: { endpoint: string; deployment: string },
    percent: number,
    options: ShadowOptions = {},
  ): Promise<void> {
    this.requireStarted('setShadow');
    return this.endpoints.setShadow(endpoint, target, percent, options);
  }

  /** Counts since the shadow was last set (kept in memory: a restart of the host starts them afresh). */
  async shadowReport(endpoint: string): Promise<ShadowReport> {
    this.requireEndpoint(endpoint);
    return this.host.shadowReport(endpoint);
  }

  /** Starts synthetic load on one of this workspace's endpoints, or updates the load with that id. */
  async ensureLoad(request: LoadRequest): Promise<void> {
    this.requireStarted('ensureLoad');
    const settings = toLoadSettings(request);
    const endpoint = this.requireEndpoint(settings.endpoint);
    checkLoadDeployments(
      settings,
      endpoint.name,
      endpoint.deployments.map((d) => d.name),
    );
    this.host.ensureLoad(this.loadKey(settings.id), settings);
  }

  async stopLoad(id: string): Promise<void> {
    this.host.stopLoad(this.loadKey(id));
  }

  /** Counters of a load (local only): sent, answers per deployment, errors, skipped ticks. */
  loadStatus(id: string): LoadStatus | undefined {
    return this.host.loadStatus(this.loadKey(id));
  }

  private loadKey(id: string): string {
    return `${this.environment}/${id}`;
  }

  private requireEndpoint(name: string): EndpointInfo {
    const endpoint = this.endpoints.get(name);
    if (!endpoint)
      throw new NotFoundError('endpoint', name, `no such endpoint in ${this.environment}${this.started ? '' : ' (call start() first)'}`);
    return endpoint;
  }

  private async jobOutput(job: string, output: string): Promise<{ path: string; codeHash?: string }> {
    const info = await this.jobs.get(job);
    if (!info) throw new NotFoundError('job', job, `no such job in ${this.environment}`);
    if (info.status !== 'completed') {
      throw new AutopilotError(
        `job '${job}' is ${info.status}, not completed; its outputs cannot be used${info.error ? `: ${info.error.split('\n')[0]}` : ''}`,
      );
    }
    const path = info.outputs[output];
    if (!path)
      throw new BadRequestError(
        `job '${job}' has no output '${output}' (outputs: ${Object.keys(info.outputs).join(', ') || 'none'})`,
        'source.output',
      );
    return info.codeHash ? { path, codeHash: info.codeHash } : { path };
  }

  private requireStarted(operation: string): void {
    if (!this.started)
      throw new AutopilotError(
        `LocalWorkspace(${this.environment}).${operation}: call start() first, so saved endpoints are restored before they change`,
      );
  }
}
