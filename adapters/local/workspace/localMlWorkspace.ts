import { join, resolve } from 'node:path';
import type { EnvironmentName } from '../../../shared/config/schema';
import { AutopilotError } from '../../../shared/errors';
import type { Logger, WorkspaceRoles } from '../../../shared/ports';
import type { LocalEndpointHost } from '../inference/endpointHost';
import { LocalEndpointScoring } from './endpointScoring';
import { completedJobOutput } from './jobOutput';
import { JobRunner, type JobRunnerOptions } from './jobRunner';
import { LocalBatchScoring } from './localBatchScoring';
import type { FetchInput } from './materializeInputs';
import { LocalModelRegistry } from './modelRegistry';
import { LocalOnlineEndpoints } from './onlineEndpoints';

export interface LocalMlWorkspaceOptions {
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
 * One environment's ML workspace on this machine as the core's roles: command jobs as child
 * processes, a file-backed model registry, online endpoints served by child-process scoring
 * servers through the router. Online endpoints play three roles (deployments, shadow, logs),
 * the router's scoring three (requests, traffic facts, synthetic load).
 */
export interface LocalMlWorkspace extends WorkspaceRoles {
  readonly environment: EnvironmentName;
  readonly rootDir: string;
  jobs: JobRunner;
  models: LocalModelRegistry;
  endpoints: LocalOnlineEndpoints;
  scoring: LocalEndpointScoring;
  batch: LocalBatchScoring;
  traffic: LocalEndpointScoring;
  shadow: LocalOnlineEndpoints;
  load: LocalEndpointScoring;
  logs: LocalOnlineEndpoints;
  /**
   * Restores the endpoints of a previous run (their scoring servers are live when this
   * resolves) and re-attaches to the jobs a killed host left running; jobs whose process
   * is gone are resubmitted when their stage asks for them (getJob).
   */
  start(): Promise<void>;
  /** Kills this workspace's jobs (left queued, resubmitted at the next start), loads and scoring servers and writes the inference data collected so far; the endpoint host keeps running. */
  stop(): Promise<void>;
}

/** The roles of one local workspace. Building them starts nothing: call start() before changing endpoints. */
export function localMlWorkspace(options: LocalMlWorkspaceOptions): LocalMlWorkspace {
  const { environment, endpointHost: host, logger } = options;
  const rootDir = resolve(options.rootDir);
  const jobOptions: JobRunnerOptions = { fetchInput: options.fetchInput };
  if (options.maxConcurrentJobs !== undefined) jobOptions.maxConcurrentJobs = options.maxConcurrentJobs;
  if (options.onJobLog) jobOptions.onLog = options.onJobLog;
  if (logger) jobOptions.logger = logger;
  const jobs = new JobRunner(join(rootDir, 'jobs'), jobOptions);
  const models = new LocalModelRegistry(join(rootDir, 'models'), {
    resolveJobOutput: (job, output) => completedJobOutput(jobs, environment, job, output),
  });
  const endpoints = new LocalOnlineEndpoints({
    environment,
    dir: join(rootDir, 'endpoints'),
    host,
    getModel: (ref) => models.getModel(ref),
    ...(logger ? { logger } : {}),
  });
  const scoring = new LocalEndpointScoring(environment, host, endpoints);
  const batch = new LocalBatchScoring({ environment, jobs, models });
  let started = false;
  let stopped = false;
  return {
    environment,
    rootDir,
    jobs,
    models,
    endpoints,
    scoring,
    batch,
    traffic: scoring,
    shadow: endpoints,
    load: scoring,
    logs: endpoints,
    async start() {
      if (stopped) throw new AutopilotError(`the local ${environment} workspace was stopped; create a new one to serve again`);
      if (started) return;
      started = true;
      await Promise.all([endpoints.start(), jobs.reattach()]);
    },
    async stop() {
      started = false;
      stopped = true;
      scoring.stopAll();
      await Promise.all([jobs.stop(), endpoints.stop(), batch.stop()]);
      await host.flushCollected();
    },
  };
}
