import { AlreadyExistsError, ConcurrencyError, NotFoundError } from '../../../shared/errors';
import { openWriteViaWrite, readStreamViaRead } from '../../fakes/wholeBlobStreams';
import type {
  BlobInfo,
  BlobRef,
  DataStore,
  DeploymentInfo,
  DeployRequest,
  EndpointInfo,
  EventPublisher,
  JobInfo,
  MessageQueue,
  ModelRef,
  ModelSource,
  ModelVersion,
  OutgoingEvent,
  RegisterModelRequest,
  ScoreRequest,
  ScoreResponse,
  StateTable,
  SubmitJobRequest,
  Versioned,
  DeploymentTraffic,
  InvokeResult,
  LoadRequest,
  ShadowReport,
  TrafficWindow,
  WorkspaceRoles,
} from '../../../shared/ports';
import type { EnvironmentName } from '../../../shared/config/schema';

/** In-memory StateTable with Table Storage's conflict semantics. */
export class MemoryTable implements StateTable {
  private rows = new Map<string, { value: string; etag: string }>();
  private seq = 0;
  async get<T>(p: string, r: string): Promise<Versioned<T> | undefined> {
    const row = this.rows.get(`${p}\u0000${r}`);
    return row && { value: JSON.parse(row.value) as T, etag: row.etag };
  }
  async insert<T>(p: string, r: string, value: T): Promise<Versioned<T>> {
    const key = `${p}\u0000${r}`;
    if (this.rows.has(key)) throw new AlreadyExistsError(key);
    return this.put(key, value);
  }
  async replace<T>(p: string, r: string, value: T, etag: string): Promise<Versioned<T>> {
    const key = `${p}\u0000${r}`;
    if (this.rows.get(key)?.etag !== etag) throw new ConcurrencyError(key);
    return this.put(key, value);
  }
  /** Partitions read, in order: what a query pattern costs (each is one round trip on Table Storage). */
  readonly listed: string[] = [];
  async list<T>(p: string, options: { limit?: number; fromRow?: string } = {}): Promise<Versioned<T>[]> {
    this.listed.push(p);
    const from = `${p}\u0000${options.fromRow ?? ''}`;
    return [...this.rows.entries()]
      .filter(([k]) => k.startsWith(`${p}\u0000`) && k >= from)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, options.limit ?? Number.MAX_SAFE_INTEGER)
      .map(([, row]) => ({ value: JSON.parse(row.value) as T, etag: row.etag }));
  }
  async delete(p: string, r: string): Promise<void> {
    this.rows.delete(`${p}\u0000${r}`);
  }
  private put<T>(key: string, value: T): Versioned<T> {
    const etag = `e${++this.seq}`;
    this.rows.set(key, { value: JSON.stringify(value), etag });
    return { value: JSON.parse(JSON.stringify(value)) as T, etag };
  }
}

export class MemoryQueue<M> implements MessageQueue<M> {
  readonly sent: { message: M; delaySeconds?: number }[] = [];
  /** The next `failures` sends throw, as a queue service that is down would. */
  failures = 0;
  async send(message: M, options: { delaySeconds?: number } = {}): Promise<void> {
    if (this.failures > 0 && this.failures--) throw new Error('queue unavailable');
    this.sent.push({ message, delaySeconds: options.delaySeconds });
  }
  take(): M | undefined {
    return this.sent.shift()?.message;
  }
}

export class MemoryDataStore implements DataStore {
  readonly blobs = new Map<string, { content: Buffer; eTag: string; lastModified: string }>();
  private seq = 0;
  /** `now` is the test's clock, so blob ages follow it (the retraining window reads them). */
  constructor(private readonly now: () => Date = () => new Date()) {}
  async read(ref: BlobRef) {
    const blob = this.blobs.get(`${ref.container}/${ref.name}`);
    if (!blob) throw new NotFoundError('blob', `${ref.container}/${ref.name}`);
    return { content: blob.content, info: this.info(ref, blob) };
  }
  async getInfo(ref: BlobRef) {
    const blob = this.blobs.get(`${ref.container}/${ref.name}`);
    return blob && this.info(ref, blob);
  }
  async write(ref: BlobRef, content: Buffer | string) {
    const blob = {
      content: Buffer.from(content),
      eTag: `"0x${(++this.seq).toString(16).toUpperCase()}"`,
      lastModified: new Date(this.now().getTime() + this.seq).toISOString(),
    };
    this.blobs.set(`${ref.container}/${ref.name}`, blob);
    return this.info(ref, blob);
  }
  readStream(ref: BlobRef, options: { ifMatch?: string } = {}) {
    return readStreamViaRead(this, ref, options);
  }
  openWrite(ref: BlobRef, options: { contentType?: string } = {}) {
    return openWriteViaWrite(this, ref, options);
  }
  async list(container: string, prefix: string) {
    return [...this.blobs.entries()]
      .filter(([k]) => k.startsWith(`${container}/${prefix}`))
      .map(([k, b]) => this.info({ container, name: k.slice(container.length + 1) }, b));
  }
  urlOf(ref: BlobRef) {
    return `http://blob.test/${ref.container}/${ref.name}`;
  }
  private info(ref: BlobRef, blob: { content: Buffer; eTag: string; lastModified: string }): BlobInfo {
    return { ...ref, url: this.urlOf(ref), eTag: blob.eTag, contentLength: blob.content.length, lastModified: blob.lastModified };
  }
}

export class MemoryEvents implements EventPublisher {
  readonly published: OutgoingEvent[] = [];
  /** The next `failures` publishes throw, as the event log's table would when storage is down. */
  failures = 0;
  async publish(events: OutgoingEvent[]) {
    if (this.failures > 0 && this.failures--) throw new Error('event log unavailable');
    this.published.push(...events);
  }
}

/** Every role but collected inference (the core reads that only where the platform collects). */
type AllRoles = WorkspaceRoles['jobs'] &
  WorkspaceRoles['models'] &
  WorkspaceRoles['endpoints'] &
  WorkspaceRoles['scoring'] &
  WorkspaceRoles['batch'] &
  WorkspaceRoles['traffic'] &
  WorkspaceRoles['shadow'] &
  WorkspaceRoles['load'] &
  WorkspaceRoles['logs'];

/** The roles of a fake that plays them all itself: the same object in every slot. */
function rolesOf(fake: FakeWorkspace): WorkspaceRoles {
  return { jobs: fake, models: fake, endpoints: fake, scoring: fake, batch: fake, traffic: fake, shadow: fake, load: fake, logs: fake };
}

/** The fakes as the engine takes them: each plays every role. */
export function fakeRoles(workspaces: Record<EnvironmentName, FakeWorkspace>): Record<EnvironmentName, WorkspaceRoles> {
  return { dev: rolesOf(workspaces.dev), staging: rolesOf(workspaces.staging), prod: rolesOf(workspaces.prod) };
}

/**
 * A workspace that records calls. Jobs complete when `finishJob` is called; scoring
 * returns probabilities from `scorer`, so tests choose how good a model is.
 */
export class FakeWorkspace implements AllRoles {
  readonly submitted: SubmitJobRequest[] = [];
  readonly jobs = new Map<string, JobInfo>();
  readonly models: ModelVersion[] = [];
  readonly endpoints = new Map<string, EndpointInfo>();
  failDeploy = false;
  /** Looks (getEndpoint calls) a new deployment stays 'creating', as Azure ML's take minutes. */
  provisioningLooks = 0;
  readonly deployCalls: DeployRequest[] = [];
  private readonly provisioning = new Map<string, number>();
  scorer: (source: ModelSource, request: ScoreRequest) => ScoreResponse | Promise<ScoreResponse> = (_s, req) => ({
    predictions: req.input_data.data.map(() => 'no'),
    probabilities: req.input_data.data.map(() => [0.5, 0.5]),
    classes: ['no', 'yes'],
  });

  constructor(readonly environment: EnvironmentName) {}

  async submitJob(request: SubmitJobRequest): Promise<JobInfo> {
    const existing = this.jobs.get(request.name);
    if (existing) return existing;
    this.submitted.push(request);
    const job: JobInfo = {
      name: request.name,
      status: 'running',
      createdAt: new Date().toISOString(),
      metrics: {},
      outputs: {},
      tags: request.tags ?? {},
      codeHash: 'c0de',
    };
    this.jobs.set(request.name, job);
    return job;
  }
  finishJob(name: string, status: 'completed' | 'failed' = 'completed', error?: string) {
    const job = this.jobs.get(name)!;
    Object.assign(job, { status, error, durationMs: 1234, metrics: { train_auc: 0.9 }, outputs: { model: `/jobs/${name}/model` } });
  }
  async getJob(name: string) {
    return this.jobs.get(name);
  }
  async cancelJob(name: string) {
    const j = this.jobs.get(name);
    if (j && j.status === 'running') j.status = 'canceled';
  }
  async jobLog() {
    return '';
  }
  async registerModel(request: RegisterModelRequest): Promise<ModelVersion> {
    const existing = this.models.find((m) => m.name === request.name && m.idempotencyKey === request.idempotencyKey);
    if (existing) return existing;
    const version = this.models.filter((m) => m.name === request.name).length + 1;
    const model: ModelVersion = {
      name: request.name,
      version,
      createdAt: new Date().toISOString(),
      path: '/m',
      sha256: 'x',
      metrics: request.metrics ?? {},
      tags: request.tags ?? {},
      lineage: request.lineage ?? {},
      idempotencyKey: request.idempotencyKey,
    };
    this.models.push(model);
    return model;
  }
  async getModel(ref: ModelRef) {
    return this.models.find((m) => m.name === ref.name && m.version === ref.version);
  }
  async listModels() {
    return this.models;
  }
  async importModel(from: ModelVersion, env: EnvironmentName) {
    // As the registries do: the copy keeps its tags and lineage (the release that trained it).
    return this.registerModel({
      name: from.name,
      source: { path: from.path },
      idempotencyKey: `import:${env}:${from.name}:${from.version}`,
      metrics: from.metrics,
      tags: from.tags,
      lineage: from.lineage,
    });
  }
  async deploy(request: DeployRequest): Promise<DeploymentInfo> {
    const endpoint = this.endpoints.get(request.endpoint) ?? {
      name: request.endpoint,
      environment: this.environment,
      scoringUri: `http://x/${request.endpoint}`,
      traffic: {},
      mirrorTraffic: {},
      deployments: [],
      id: `/e/${request.endpoint}`,
    };
    this.endpoints.set(request.endpoint, endpoint);
    this.deployCalls.push(request);
    const creating = this.provisioningLooks > 0 && !this.failDeploy;
    if (creating) this.provisioning.set(`${request.endpoint}/${request.deployment}`, this.provisioningLooks);
    const info: DeploymentInfo = {
      name: request.deployment,
      endpoint: request.endpoint,
      model: request.model,
      state: this.failDeploy ? 'failed' : creating ? 'creating' : 'succeeded',
      error: this.failDeploy ? 'init failed' : undefined,
      createdAt: new Date(Date.now() + endpoint.deployments.length).toISOString(),
    };
    endpoint.deployments = [...endpoint.deployments.filter((d) => d.name !== request.deployment), info];
    return info;
  }
  async setTraffic(name: string, traffic: Record<string, number>) {
    const endpoint = this.endpoints.get(name)!;
    endpoint.traffic = { ...traffic };
    return endpoint;
  }
  async deleteDeployment(name: string, deployment: string) {
    const endpoint = this.endpoints.get(name)!;
    if ((endpoint.traffic[deployment] ?? 0) > 0) throw new Error(`${deployment} has live traffic`);
    endpoint.deployments = endpoint.deployments.filter((d) => d.name !== deployment);
    delete endpoint.traffic[deployment];
  }
  async getEndpoint(name: string) {
    const endpoint = this.endpoints.get(name);
    for (const d of endpoint?.deployments ?? []) {
      const key = `${name}/${d.name}`;
      const looks = this.provisioning.get(key);
      if (looks === undefined) continue;
      if (looks <= 1) {
        this.provisioning.delete(key);
        d.state = 'succeeded';
      } else this.provisioning.set(key, looks - 1);
    }
    return endpoint;
  }
  async listEndpoints() {
    return [...this.endpoints.values()];
  }
  readonly finishedScorings: ModelSource[] = [];
  async scoreBatch(source: ModelSource, _spec: string, request: ScoreRequest) {
    return this.scorer(source, request);
  }
  async finishedScoring(source: ModelSource) {
    this.finishedScorings.push(source);
  }

  /** What invokeEndpoint answers; tests swap it for a failing or slow deployment. */
  invoke: (endpoint: string, request: ScoreRequest, deployment?: string) => InvokeResult = (_e, request, deployment) => ({
    status: 200,
    latencyMs: 12,
    deployment,
    body: { predictions: request.input_data.data.map(() => 'no') },
  });
  readonly invoked: { endpoint: string; deployment?: string; synthetic?: boolean }[] = [];
  async invokeEndpoint(endpoint: string, request: ScoreRequest, options: { deployment?: string; synthetic?: boolean } = {}) {
    this.invoked.push({ endpoint, ...options });
    return this.invoke(endpoint, request, options.deployment);
  }

  /** Traffic the next trafficSince returns per deployment; tests fill it like a router would. */
  traffic: (deployments: string[]) => Record<string, DeploymentTraffic> = () => ({});
  async trafficSince(endpoint: string, since: string, slowThresholdsMs: number[]): Promise<TrafficWindow> {
    const names = this.endpoints.get(endpoint)?.deployments.map((d) => d.name) ?? [];
    const byDeployment = this.traffic(names);
    for (const arm of Object.values(byDeployment)) arm.slowerThan = slowThresholdsMs.map((_, i) => arm.slowerThan[i] ?? 0);
    return { since, until: new Date(Date.parse(since) + 5000).toISOString(), byDeployment };
  }

  readonly shadows = new Map<string, { target: { endpoint: string; deployment: string }; percent: number; tolerance?: number }>();
  shadow: ShadowReport = { mirrored: 0, compared: 0, agreed: 0, shadowErrors: 0, liveErrors: 0 };
  async setShadow(
    endpoint: string,
    target: { endpoint: string; deployment: string },
    percent: number,
    options: { tolerance?: number } = {},
  ) {
    if (percent === 0) this.shadows.delete(endpoint);
    else this.shadows.set(endpoint, { target, percent, ...options });
  }
  async shadowReport() {
    return this.shadow;
  }

  readonly loads = new Map<string, LoadRequest>();
  async ensureLoad(request: LoadRequest) {
    this.loads.set(request.id, request);
  }
  async stopLoad(id: string) {
    this.loads.delete(id);
  }

  async deploymentLogs() {
    return { source: 'fake workspace', lines: [] };
  }
}

/** Timers fired by the test: `fire()` runs every live tick once and waits for them. */
export class ManualTimers {
  private readonly ticks = new Set<() => void | Promise<void>>();
  every(_ms: number, tick: () => void | Promise<void>): () => void {
    this.ticks.add(tick);
    return () => this.ticks.delete(tick);
  }
  get live(): number {
    return this.ticks.size;
  }
  async fire(): Promise<void> {
    await Promise.all([...this.ticks].map((tick) => tick()));
  }
}
