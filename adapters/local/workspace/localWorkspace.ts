import { join, resolve } from 'node:path';
import type { EnvironmentName } from '../../../shared/config/schema';
import { AutopilotError, BadRequestError, NotFoundError } from '../../../shared/errors';
import type {
  DeployRequest,
  EndpointInfo,
  JobInfo,
  Logger,
  MlWorkspace,
  ModelRef,
  ModelSource,
  ModelVersion,
  RegisterModelRequest,
  ScoreRequest,
  ScoreResponse,
  SubmitJobRequest,
} from '../../../shared/ports';
import type { LocalEndpointHost } from '../inference/endpointHost';
import { JobRunner } from './jobRunner';
import type { FetchInput } from './materializeInputs';
import { ModelRegistry } from './modelRegistry';
import { OnlineEndpoints, type LocalDeploymentInfo } from './onlineEndpoints';
import { scoreBatch } from './scoreBatch';

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
  private started = false;
  private stopped = false;

  constructor(options: LocalWorkspaceOptions) {
    this.environment = options.environment;
    this.rootDir = resolve(options.rootDir);
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

  /** Restores the endpoints of a previous run (their scoring servers are live when this resolves). */
  async start(): Promise<void> {
    if (this.stopped) throw new AutopilotError(`LocalWorkspace(${this.environment}) was stopped; create a new one to serve again`);
    if (this.started) return;
    this.started = true;
    await this.endpoints.start();
  }

  /** Kills this workspace's jobs and scoring servers; the endpoint host keeps running. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopped = true;
    await Promise.all([this.jobs.stop(), this.endpoints.stop()]);
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
  async getEndpoint(name: string): Promise<EndpointInfo | undefined> {
    return this.endpoints.get(name);
  }
  async listEndpoints(): Promise<EndpointInfo[]> {
    return this.endpoints.list();
  }

  async scoreBatch(source: ModelSource, specPath: string, request: ScoreRequest): Promise<ScoreResponse> {
    if ('job' in source) {
      const output = await this.jobOutput(source.job, source.output);
      return scoreBatch(output.path, `output '${source.output}' of job ${source.job}`, specPath, request);
    }
    const model = await this.models.get(source);
    if (!model) throw new NotFoundError('model', `${source.name}:${source.version}`, `no such version in ${this.environment}`);
    return scoreBatch(model.path, `model ${model.name}:${model.version}`, specPath, request);
  }

  private async jobOutput(job: string, output: string): Promise<{ path: string; codeHash?: string }> {
    const info = await this.jobs.get(job);
    if (!info) throw new NotFoundError('job', job, `no such job in ${this.environment}`);
    if (info.status !== 'completed') {
      throw new AutopilotError(`job '${job}' is ${info.status}, not completed; its outputs cannot be used${info.error ? `: ${info.error.split('\n')[0]}` : ''}`);
    }
    const path = info.outputs[output];
    if (!path) throw new BadRequestError(`job '${job}' has no output '${output}' (outputs: ${Object.keys(info.outputs).join(', ') || 'none'})`, 'source.output');
    return info.codeHash ? { path, codeHash: info.codeHash } : { path };
  }

  private requireStarted(operation: string): void {
    if (!this.started) throw new AutopilotError(`LocalWorkspace(${this.environment}).${operation}: call start() first, so saved endpoints are restored before they change`);
  }
}
