import { readFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { AzureMachineLearningWorkspaces, type JobBase, type OnlineEndpoint } from '@azure/arm-machinelearning';
import type { TokenCredential } from '@azure/core-auth';
import { MetricsClient } from '@azure/monitor-query-metrics';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import type { EnvironmentName } from '../../../shared/config/schema';
import type {
  DeployRequest, DeploymentInfo, EndpointInfo, InvokeResult, JobInfo, LoadRequest, MlWorkspace, ModelRef, ModelSource, ModelVersion, RegisterModelRequest,
  ScoreRequest, ScoreResponse, ShadowReport, SubmitJobRequest, TrafficWindow,
} from '../../../shared/ports';
import { AutopilotError, BadRequestError, NotSupportedError } from '../../../shared/errors';
import { parseDeploymentSpec, parseJobSpec } from '../../../shared/jobs';
import { armCall, mapArmError, orUndefined } from './mapArmError';
import { toCommandJob, toJobInfo } from './jobMapping';
import { fromArmModelVersion, toArmModelVersion } from './modelMapping';
import { toArmDeployment, toDeploymentInfo } from './deploymentMapping';
import { waitForAsyncOperation } from './waitForAsyncOperation';
import { invokeScoring } from './invokeScoring';
import { endpointTraffic } from './endpointTraffic';
import { scoreDeployment, scoreThroughDeployment } from './scoreThroughDeployment';
import { ensureEvaluationDeployment, evaluationTarget } from './evaluationDeployment';
import { AzureLoads } from './azureLoads';
import { toLoadSettings } from '../../load/loadSettings';
import { jobLogText } from './jobLogText';
import { shadowFromMetrics } from './shadowFromMetrics';

/** The REST api-version whose endpoint PATCH accepts `mirrorTraffic` (the SDK's 2022-10-01 model drops it). */
export const MIRROR_API_VERSION = '2023-04-01-preview';
/** The api-version the SDK (2.1.1) speaks. */
export const STABLE_API_VERSION = '2022-10-01';

export interface AzureMlWorkspaceOptions {
  environment: EnvironmentName;
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  /** Azure region of the workspace (ARM needs it on tracked resources). */
  location: string;
  credential: TokenCredential;
  /** ARM endpoint. @default https://management.azure.com */
  endpoint?: string;
  /** Extra CA certificate to trust (a private proxy, or a test fake). @default none */
  trustedCa?: string;
  /** Compute for jobs whose spec names none. @default none (the service then refuses the job) */
  defaultCompute?: string;
  /** Interval between long-running-operation polls. @default 2000 */
  pollIntervalMs?: number;
  /** Azure Monitor metrics data-plane endpoint. @default https://{location}.metrics.monitor.azure.com */
  metricsEndpoint?: string;
  /** Time source for metric windows. @default the system clock */
  now?: () => Date;
}

/** The MlWorkspace port on an Azure ML workspace, through the ARM SDK. */
export class AzureMlWorkspace implements MlWorkspace {
  readonly environment: EnvironmentName;
  readonly client: AzureMachineLearningWorkspaces;
  private readonly rg: string;
  private readonly ws: string;
  private readonly lro: { updateIntervalInMs?: number };
  private readonly agent?: Agent;
  /** Endpoint keys by endpoint name: listKeys is an ARM call, scoring is hot. Dropped on a 401 (rotated key). */
  private readonly keys = new Map<string, Promise<{ scoringUri: string; key: string }>>();
  private metricsClient?: MetricsClient;
  private readonly loads = new AzureLoads((endpoint, request, options) => this.invokeEndpoint(endpoint, request, options));
  /** Mirror target and start time per endpoint: metrics are counted from the moment the shadow was set. */
  private readonly shadows = new Map<string, { deployment: string; since: string }>();

  constructor(private readonly options: AzureMlWorkspaceOptions) {
    this.environment = options.environment;
    this.rg = options.resourceGroup;
    this.ws = options.workspace;
    this.lro = { updateIntervalInMs: options.pollIntervalMs };
    this.client = new AzureMachineLearningWorkspaces(options.credential, options.subscriptionId, {
      endpoint: options.endpoint,
      credentialScopes: 'https://management.azure.com/.default',
    });
    if (options.trustedCa) {
      const agent = new Agent({ ca: options.trustedCa, keepAlive: true });
      this.agent = agent;
      this.client.pipeline.addPolicy({ name: 'trustedCa', sendRequest: (req, next) => ((req.agent = agent), next(req)) });
    }
  }

  get workspacePath(): string {
    return `/subscriptions/${this.options.subscriptionId}/resourceGroups/${this.rg}/providers/Microsoft.MachineLearningServices/workspaces/${this.ws}`;
  }

  // ------------------------------------------------------------ jobs

  async submitJob(request: SubmitJobRequest): Promise<JobInfo> {
    const existing = await this.getJob(request.name);
    if (existing) return existing;
    const spec = parseJobSpec(await readFile(request.specPath, 'utf8'), request.specPath);
    const body = toCommandJob(spec, request, { defaultCompute: this.options.defaultCompute });
    // Raw PUT through the client's pipeline (auth, retries): SDK 2.1.1 has no serializer
    // mapping for uri_file/uri_folder inputs and silently drops their `uri`.
    const response = await this.sendRaw('PUT', `${this.workspacePath}/jobs/${armName('job', request.name)}`, STABLE_API_VERSION, body);
    if (response.status >= 400) throw mapArmError({ statusCode: response.status, message: response.bodyAsText }, 'job', request.name);
    return toJobInfo(JSON.parse(response.bodyAsText ?? '{}') as JobBase);
  }

  async getJob(name: string): Promise<JobInfo | undefined> {
    const job = await orUndefined(() => this.client.jobs.get(this.rg, this.ws, name), 'job', name);
    return job && toJobInfo(job);
  }

  /** Status, error and the Studio link: the log files themselves sit in the workspace datastore. */
  async jobLog(name: string, maxBytes?: number): Promise<string> {
    const response = await this.sendRaw('GET', `${this.workspacePath}/jobs/${armName('job', name)}`, STABLE_API_VERSION);
    if (response.status >= 400) throw mapArmError({ statusCode: response.status, message: response.bodyAsText }, 'job', name);
    const raw = JSON.parse(response.bodyAsText ?? '{}') as JobBase & { properties: { error?: { message?: string }; errorMessage?: string } };
    const error = raw.properties.error?.message ?? raw.properties.errorMessage;
    return jobLogText(toJobInfo(raw), error, this.workspacePath, maxBytes);
  }

  async cancelJob(name: string): Promise<void> {
    await armCall(() => this.client.jobs.beginCancelAndWait(this.rg, this.ws, name, this.lro), 'job', name);
  }

  // ------------------------------------------------------------ models

  async registerModel(request: RegisterModelRequest): Promise<ModelVersion> {
    const versions = await this.listModels(request.name);
    const same = versions.find((v) => v.idempotencyKey === request.idempotencyKey);
    if (same) return same;
    const path = 'job' in request.source ? `azureml://jobs/${request.source.job}/outputs/${request.source.output}` : request.source.path;
    return this.putModelVersion(request.name, nextVersion(versions), {
      name: request.name, path, sha256: '', metrics: request.metrics ?? {}, tags: request.tags ?? {},
      lineage: request.lineage ?? {}, idempotencyKey: request.idempotencyKey,
    }, request.description);
  }

  async getModel(ref: ModelRef): Promise<ModelVersion | undefined> {
    const id = `${ref.name}:${ref.version}`;
    const found = await orUndefined(() => this.client.modelVersions.get(this.rg, this.ws, ref.name, String(ref.version)), 'model', id);
    return found && fromArmModelVersion(ref.name, found);
  }

  async listModels(name?: string): Promise<ModelVersion[]> {
    if (name === undefined) {
      const names: string[] = [];
      for await (const container of this.client.modelContainers.list(this.rg, this.ws)) names.push(container.name!);
      return (await Promise.all(names.map((n) => this.listModels(n)))).flat();
    }
    const out: ModelVersion[] = [];
    try {
      for await (const v of this.client.modelVersions.list(this.rg, this.ws, name)) out.push(fromArmModelVersion(name, v));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return [];
      throw mapArmError(error, 'model', name);
    }
    return out.sort((a, b) => a.version - b.version);
  }

  /** Promotion: a new version here pointing at the same asset, idempotent by source. */
  async importModel(from: ModelVersion, fromEnvironment: EnvironmentName): Promise<ModelVersion> {
    const key = `import:${fromEnvironment}:${from.name}:${from.version}`;
    const versions = await this.listModels(from.name);
    const same = versions.find((v) => v.idempotencyKey === key);
    if (same) return same;
    return this.putModelVersion(from.name, nextVersion(versions), {
      ...from, idempotencyKey: key, copiedFrom: { environment: fromEnvironment, name: from.name, version: from.version },
    });
  }

  private async putModelVersion(name: string, version: number, model: Omit<ModelVersion, 'version' | 'createdAt'>, description?: string) {
    const created = await armCall(
      () => this.client.modelVersions.createOrUpdate(this.rg, this.ws, name, String(version), toArmModelVersion(model, description)),
      'model', `${name}:${version}`,
    );
    return fromArmModelVersion(name, created);
  }

  // ------------------------------------------------------------ endpoints

  async deploy(request: DeployRequest): Promise<DeploymentInfo> {
    const spec = parseDeploymentSpec(await readFile(request.specPath, 'utf8'), request.specPath);
    const endpoint = await this.rawEndpoint(request.endpoint);
    if (!endpoint) {
      await armCall(() => this.client.onlineEndpoints.beginCreateOrUpdateAndWait(this.rg, this.ws, request.endpoint, {
        location: this.options.location, properties: { authMode: 'Key', traffic: {} },
      }, this.lro), 'endpoint', request.endpoint);
    }
    const body = toArmDeployment(spec, request, { location: this.options.location, workspacePath: this.workspacePath });
    const id = `${request.endpoint}/${request.deployment}`;
    await armCall(() => this.client.onlineDeployments.beginCreateOrUpdateAndWait(this.rg, this.ws, request.endpoint, request.deployment, body, this.lro), 'deployment', id);
    const deployed = await armCall(() => this.client.onlineDeployments.get(this.rg, this.ws, request.endpoint, request.deployment), 'deployment', id);
    return toDeploymentInfo(request.endpoint, deployed);
  }

  async setTraffic(endpoint: string, traffic: Record<string, number>): Promise<EndpointInfo> {
    const total = Object.values(traffic).reduce((sum, percent) => sum + percent, 0);
    if (total !== 100 && total !== 0) throw new BadRequestError(`traffic of endpoint '${endpoint}' sums to ${total}; make it 100`, 'traffic');
    const current = await this.rawEndpoint(endpoint);
    if (!current) throw mapArmError({ statusCode: 404 }, 'endpoint', endpoint);
    // The stable PATCH takes tags only, so traffic goes through a PUT of the whole endpoint.
    await armCall(() => this.client.onlineEndpoints.beginCreateOrUpdateAndWait(this.rg, this.ws, endpoint, {
      ...current, properties: { ...current.properties, traffic },
    }, this.lro), 'endpoint', endpoint);
    return (await this.getEndpoint(endpoint))!;
  }

  async deleteDeployment(endpoint: string, deployment: string): Promise<void> {
    await armCall(() => this.client.onlineDeployments.beginDeleteAndWait(this.rg, this.ws, endpoint, deployment, this.lro), 'deployment', `${endpoint}/${deployment}`);
  }

  async getEndpoint(name: string): Promise<EndpointInfo | undefined> {
    const raw = await this.rawEndpointJson(name);
    if (!raw) return undefined;
    const deployments: DeploymentInfo[] = [];
    for await (const d of this.client.onlineDeployments.list(this.rg, this.ws, name)) deployments.push(toDeploymentInfo(name, d));
    return {
      name, environment: this.environment, id: raw.id, scoringUri: raw.properties.scoringUri ?? '',
      traffic: raw.properties.traffic ?? {}, mirrorTraffic: raw.properties.mirrorTraffic ?? {}, deployments,
    };
  }

  async listEndpoints(): Promise<EndpointInfo[]> {
    const names: string[] = [];
    for await (const e of this.client.onlineEndpoints.list(this.rg, this.ws)) names.push(e.name!);
    const out = await Promise.all(names.map((n) => this.getEndpoint(n)));
    return out.filter((e): e is EndpointInfo => e !== undefined);
  }

  /** Mirror traffic within one endpoint, via the newer api-version (the SDK model has no `mirrorTraffic`). */
  async setShadow(endpoint: string, target: { endpoint: string; deployment: string }, percent: number): Promise<void> {
    if (target.endpoint !== endpoint) {
      throw new NotSupportedError(`mirroring ${endpoint} to ${target.endpoint}/${target.deployment}`, 'azure', 'Azure ML mirrors traffic only between deployments of one endpoint');
    }
    const response = await this.sendRaw('PATCH', `${this.workspacePath}/onlineEndpoints/${armName('endpoint', endpoint)}`, MIRROR_API_VERSION, {
      properties: { mirrorTraffic: percent > 0 ? { [target.deployment]: percent } : {} },
    });
    if (response.status >= 400) throw mapArmError({ statusCode: response.status, message: response.bodyAsText }, 'endpoint', endpoint);
    // The PATCH is a long-running operation; wait until the service has applied it.
    const statusUrl = response.headers.get('azure-asyncoperation');
    if (statusUrl) await waitForAsyncOperation(this.client, statusUrl, `mirror traffic update of endpoint '${endpoint}'`, this.options.pollIntervalMs);
    if (percent > 0) this.shadows.set(endpoint, { deployment: target.deployment, since: this.now().toISOString() });
    else this.shadows.delete(endpoint);
  }

  /**
   * Mirrored requests and 5xx of both sides since the shadow was set, from Monitor metrics.
   * Azure ML discards the shadow's answers, so `compared` and `agreed` stay 0. A shadow set by
   * another process (no remembered start) is counted over the last hour.
   */
  async shadowReport(endpoint: string): Promise<ShadowReport> {
    let shadow = this.shadows.get(endpoint);
    if (!shadow) {
      const mirrored = Object.entries((await this.rawEndpointJson(endpoint))?.properties.mirrorTraffic ?? {}).find(([, percent]) => percent > 0);
      if (!mirrored) return { mirrored: 0, compared: 0, agreed: 0, shadowErrors: 0, liveErrors: 0 };
      shadow = { deployment: mirrored[0], since: new Date(this.now().getTime() - 3_600_000).toISOString() };
    }
    return shadowFromMetrics(await this.trafficSince(endpoint, shadow.since, []), shadow.deployment);
  }

  private async sendRaw(method: 'PATCH' | 'GET' | 'PUT', path: string, apiVersion: string, body?: unknown) {
    const base = this.options.endpoint ?? 'https://management.azure.com';
    const request = createPipelineRequest({
      url: `${base}${path}?api-version=${apiVersion}`, method,
      headers: createHttpHeaders({ 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return this.client.pipeline.sendRequest(this.client, request);
  }

  private rawEndpoint(name: string): Promise<OnlineEndpoint | undefined> {
    return orUndefined(() => this.client.onlineEndpoints.get(this.rg, this.ws, name), 'endpoint', name);
  }

  /** A raw GET: the SDK's deserialiser would drop `mirrorTraffic`, the raw JSON keeps it. */
  private async rawEndpointJson(name: string): Promise<{ id: string; properties: { scoringUri?: string; traffic?: Record<string, number>; mirrorTraffic?: Record<string, number> } } | undefined> {
    const response = await this.sendRaw('GET', `${this.workspacePath}/onlineEndpoints/${armName('endpoint', name)}`, STABLE_API_VERSION);
    if (response.status === 404) return undefined;
    if (response.status >= 400) throw mapArmError({ statusCode: response.status, message: response.bodyAsText }, 'endpoint', name);
    return JSON.parse(response.bodyAsText ?? '{}');
  }

  // ------------------------------------------------------------ scoring and traffic

  async invokeEndpoint(endpoint: string, request: ScoreRequest, options: { deployment?: string; synthetic?: boolean } = {}): Promise<InvokeResult> {
    const { scoringUri, key } = await this.endpointKey(endpoint);
    const result = await invokeScoring(scoringUri, key, request, { ...options, agent: this.agent });
    // A 401 most likely means the key was regenerated: the next call lists keys again.
    if (result.status === 401) this.keys.delete(endpoint);
    return result;
  }

  /**
   * Azure has no endpoint-less scoring: a registered model is scored by the online deployment
   * serving it; a job's output by an evaluation deployment (see evaluationDeployment.ts).
   */
  async scoreBatch(source: ModelSource, specPath: string, request: ScoreRequest): Promise<ScoreResponse> {
    if (!('job' in source)) return scoreThroughDeployment(this, source, request);
    const target = evaluationTarget(this.workspacePath, source.job);
    const info = await ensureEvaluationDeployment(this, target, source, specPath, { now: this.now() });
    const label = `the output '${source.output}' of job '${source.job}'`;
    if (info.state !== 'succeeded') {
      throw new AutopilotError(`the evaluation deployment ${target.endpoint}/${target.deployment} of ${label} failed: ${info.error ?? 'see the deployment logs in Azure ML studio'}`);
    }
    return scoreDeployment(this, target.endpoint, target.deployment, label, request);
  }

  /** Removes the evaluation deployment of a job output once the gate has its scores (it bills per hour). */
  async finishedScoring(source: ModelSource): Promise<void> {
    if (!('job' in source)) return;
    const target = evaluationTarget(this.workspacePath, source.job);
    const endpoint = await this.getEndpoint(target.endpoint);
    if (endpoint?.deployments.some((d) => d.name === target.deployment)) await this.deleteDeployment(target.endpoint, target.deployment);
  }

  async trafficSince(endpoint: string, since: string, slowThresholdsMs: number[]): Promise<TrafficWindow> {
    this.metricsClient ??= this.createMetricsClient();
    const id = `${this.workspacePath}/onlineEndpoints/${armName('endpoint', endpoint)}`;
    return endpointTraffic(this.metricsClient, id, since, slowThresholdsMs, this.now());
  }

  /** Starts or updates a synthetic load against the endpoint's scoring URI (rate and in-flight bounded). */
  async ensureLoad(request: LoadRequest): Promise<void> {
    toLoadSettings(request); // a malformed request is refused before any ARM call
    const info = await this.getEndpoint(request.endpoint);
    if (!info) throw mapArmError({ statusCode: 404 }, 'endpoint', request.endpoint);
    // A load aimed at a missing deployment would only measure 404s; say so now instead.
    const known = info.deployments.map((d) => d.name);
    const unknown = request.deployments.find((d) => !known.includes(d));
    if (unknown) {
      throw new BadRequestError(`load '${request.id}': deployment '${unknown}' does not exist on endpoint '${request.endpoint}' (deployments: ${known.join(', ') || 'none'})`, 'load.deployments');
    }
    this.loads.ensure(request);
  }

  async stopLoad(id: string): Promise<void> {
    this.loads.stop(id);
  }

  /** Counters of a load: sent, answers per deployment, errors, skipped ticks. */
  loadStatus(id: string) {
    return this.loads.status(id);
  }

  /** Stops every synthetic load of this workspace (on shutdown). */
  async stop(): Promise<void> {
    this.loads.stopAll();
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private endpointKey(endpoint: string): Promise<{ scoringUri: string; key: string }> {
    let entry = this.keys.get(endpoint);
    if (!entry) {
      entry = (async () => {
        const raw = await this.rawEndpointJson(endpoint);
        if (!raw) throw mapArmError({ statusCode: 404 }, 'endpoint', endpoint);
        if (!raw.properties.scoringUri) throw new AutopilotError(`endpoint '${endpoint}' has no scoring URI yet; wait until it is provisioned`, { retryable: true });
        const keys = await armCall(() => this.client.onlineEndpoints.listKeys(this.rg, this.ws, endpoint), 'endpoint', endpoint);
        if (!keys.primaryKey) throw new AutopilotError(`endpoint '${endpoint}' returned no key; is its authMode 'Key'?`);
        return { scoringUri: raw.properties.scoringUri, key: keys.primaryKey };
      })();
      this.keys.set(endpoint, entry);
      entry.catch(() => this.keys.delete(endpoint));
    }
    return entry;
  }

  private createMetricsClient(): MetricsClient {
    const client = new MetricsClient(this.options.metricsEndpoint ?? `https://${this.options.location}.metrics.monitor.azure.com`, this.options.credential);
    const agent = this.agent;
    if (agent) client.pipeline.addPolicy({ name: 'trustedCa', sendRequest: (req, next) => ((req.agent = agent), next(req)) });
    return client;
  }
}

function nextVersion(versions: ModelVersion[]): number {
  return versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
}

/** Names go into raw request paths, so anything beyond Azure ML's name alphabet is refused. */
function armName(kind: string, name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/.test(name)) {
    throw new BadRequestError(`${kind} name '${name}' may hold only letters, digits, '-' and '_', starting with a letter or digit`, kind);
  }
  return name;
}

/** Port methods that still refuse on Azure: none since jobLog, shadowReport and the loads landed. */
export const AZURE_UNSUPPORTED_METHODS: readonly string[] = [];

