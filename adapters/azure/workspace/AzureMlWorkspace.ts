import { readFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { AzureMachineLearningWorkspaces, type JobBase, type OnlineEndpoint } from '@azure/arm-machinelearning';
import type { TokenCredential } from '@azure/core-auth';
import { MetricsClient } from '@azure/monitor-query-metrics';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import type { EnvironmentName } from '../../../shared/config/schema';
import type {
  DeployRequest, DeploymentInfo, EndpointInfo, InvokeResult, JobInfo, MlWorkspace, ModelRef, ModelSource, ModelVersion, RegisterModelRequest,
  ScoreRequest, ScoreResponse, SubmitJobRequest, TrafficWindow,
} from '../../../shared/ports';
import { AutopilotError, BadRequestError } from '../../../shared/errors';
import { parseDeploymentSpec, parseJobSpec } from '../../../shared/jobs';
import { armCall, mapArmError, orUndefined } from './mapArmError';
import { toCommandJob, toJobInfo } from './jobMapping';
import { fromArmModelVersion, toArmModelVersion } from './modelMapping';
import { toArmDeployment, toDeploymentInfo } from './deploymentMapping';
import { waitForAsyncOperation } from './waitForAsyncOperation';
import { invokeScoring } from './invokeScoring';
import { endpointTraffic } from './endpointTraffic';
import { scoreThroughDeployment } from './scoreThroughDeployment';

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
    if (target.endpoint !== endpoint) throw unsupported('setShadow across endpoints (Azure ML mirrors within one endpoint)');
    const response = await this.sendRaw('PATCH', `${this.workspacePath}/onlineEndpoints/${armName('endpoint', endpoint)}`, MIRROR_API_VERSION, {
      properties: { mirrorTraffic: percent > 0 ? { [target.deployment]: percent } : {} },
    });
    if (response.status >= 400) throw mapArmError({ statusCode: response.status, message: response.bodyAsText }, 'endpoint', endpoint);
    // The PATCH is a long-running operation; wait until the service has applied it.
    const statusUrl = response.headers.get('azure-asyncoperation');
    if (statusUrl) await waitForAsyncOperation(this.client, statusUrl, `mirror traffic update of endpoint '${endpoint}'`, this.options.pollIntervalMs);
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

  /** Azure has no endpoint-less scoring: the model is scored by the online deployment serving it. */
  scoreBatch(source: ModelSource, _specPath: string, request: ScoreRequest): Promise<ScoreResponse> {
    return scoreThroughDeployment(this, source, request);
  }

  async trafficSince(endpoint: string, since: string, slowThresholdsMs: number[]): Promise<TrafficWindow> {
    this.metricsClient ??= this.createMetricsClient();
    const id = `${this.workspacePath}/onlineEndpoints/${armName('endpoint', endpoint)}`;
    return endpointTraffic(this.metricsClient, id, since, slowThresholdsMs, this.options.now?.() ?? new Date());
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

  // ------------------------------------------------------------ not yet on Azure

  jobLog(): Promise<string> { return Promise.reject(unsupported('jobLog')); }
  shadowReport(): Promise<never> { return Promise.reject(unsupported('shadowReport')); }
  ensureLoad(): Promise<void> { return Promise.reject(unsupported('ensureLoad')); }
  stopLoad(): Promise<void> { return Promise.reject(unsupported('stopLoad')); }
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

/** Port methods that still refuse on Azure; compose.ts names them when an environment selects azure. */
export const AZURE_UNSUPPORTED_METHODS = ['jobLog', 'shadowReport', 'ensureLoad', 'stopLoad'] as const;

function unsupported(method: string): AutopilotError {
  return new AutopilotError(`not yet supported on the azure backend: ${method}`);
}
