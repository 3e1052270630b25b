import type { ScoringAnswer } from './scoring/scoringAnswer';
import type { OutgoingEvent } from './events/outgoing';
/**
 * The ports: how the core sees the outside world. `adapters/local` and `adapters/azure`
 * implement the same interfaces; the core only ever imports these types.
 */
import type { EnvironmentName } from './config/schema';
import type { InferenceRecord as InferenceRecordShape } from './monitoring/inferenceRecord';

// ---------------------------------------------------------------- storage

export interface BlobRef {
  container: string;
  name: string;
}

export interface BlobInfo extends BlobRef {
  url: string;
  eTag: string;
  contentLength: number;
  contentType?: string;
  /** ISO time; 1-s precision in Storage, so compare eTags, not times, for changes. */
  lastModified?: string;
}

export interface DataStore {
  /** Reads a whole blob. Throws NotFoundError when it does not exist. */
  read(ref: BlobRef): Promise<{ content: Buffer; info: BlobInfo }>;
  getInfo(ref: BlobRef): Promise<BlobInfo | undefined>;
  write(ref: BlobRef, content: Buffer | string, options?: { contentType?: string }): Promise<BlobInfo>;
  /**
   * Reads a blob as a stream of chunks, for files too big to hold (data up to
   * data.maxMegabytes). Throws NotFoundError; with `ifMatch`, ConcurrencyError when
   * the blob has another eTag (it was overwritten between two reads).
   */
  readStream(ref: BlobRef, options?: { ifMatch?: string }): Promise<{ chunks: AsyncIterable<Uint8Array>; info: BlobInfo }>;
  /** Writes a blob piece by piece; `write` resolves when the piece may be let go (backpressure). */
  openWrite(ref: BlobRef, options?: { contentType?: string }): BlobWriter;
  list(container: string, prefix: string): Promise<BlobInfo[]>;
  urlOf(ref: BlobRef): string;
}

/** A blob being written; readers see nothing of it, or an older version, until `close` resolves. */
export interface BlobWriter {
  write(chunk: string | Uint8Array): Promise<void>;
  close(): Promise<BlobInfo>;
  /** Gives up: nothing is committed. */
  abort(reason: Error): Promise<void>;
}

export interface Versioned<T> {
  value: T;
  etag: string;
}

/**
 * A key-value table with optimistic concurrency (Azure Table Storage semantics):
 * insert fails with AlreadyExistsError, replace with ConcurrencyError on a stale etag.
 */
export interface StateTable {
  get<T>(partition: string, row: string): Promise<Versioned<T> | undefined>;
  insert<T>(partition: string, row: string, value: T): Promise<Versioned<T>>;
  replace<T>(partition: string, row: string, value: T, etag: string): Promise<Versioned<T>>;
  /** Rows of one partition in row-key order. */
  list<T>(partition: string, options?: { limit?: number; fromRow?: string }): Promise<Versioned<T>[]>;
  delete(partition: string, row: string): Promise<void>;
}

/** The queue that drives release steps (a storage queue; the host triggers on it). */
export interface MessageQueue<M> {
  send(message: M, options?: { delaySeconds?: number }): Promise<void>;
}

// ---------------------------------------------------------------- ML workspace

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'canceled';

export interface JobInputValue {
  type?: 'uri_file' | 'uri_folder' | 'string' | 'integer' | 'number' | 'boolean';
  /** For uri_* inputs: a blob URL (https/http) or a local path. */
  path?: string;
  value?: string | number | boolean;
}

export interface SubmitJobRequest {
  /** Unique job name; submitting an existing name returns that job (idempotent). */
  name: string;
  /** Path of the AML-style command job spec (YAML). */
  specPath: string;
  /** Values for the spec's `inputs`, overriding its defaults; each must be declared. */
  inputs: Record<string, JobInputValue>;
  /** Values passed only when the spec declares an input of that name (label column, seed). */
  optionalInputs?: Record<string, JobInputValue>;
  /** Tags recorded on the job (release id, pipeline...). */
  tags?: Record<string, string>;
  timeoutSeconds?: number;
}

export interface JobInfo {
  name: string;
  status: JobStatus;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  exitCode?: number | null;
  /** Why it failed, with the tail of its log. */
  error?: string;
  metrics: Record<string, number>;
  /** Output name -> location (a local folder here, a datastore URI in Azure). */
  outputs: Record<string, string>;
  /** SHA-256 of the job's code folder. */
  codeHash?: string;
  tags: Record<string, string>;
}

export interface ModelLineage {
  dataUrl?: string;
  dataETag?: string;
  dataSha256?: string;
  jobName?: string;
  codeHash?: string;
  releaseId?: string;
  /** With data.trainingSet `all` or a window: the artifacts blob listing every file trained on (name, eTag, SHA-256). */
  trainingSet?: string;
}

/**
 * How a model's files are laid out: `mlflow_model` is a folder with an MLmodel file, which
 * Azure ML serves without code or environment (no-code deployment); `custom_model` needs the
 * deployment's scoring script. Azure ML's asset types (ModelVersion.modelType in the REST API).
 */
export type ModelFormat = 'custom_model' | 'mlflow_model';

/** A training job's output holding a model, and its format (the job spec's output type). @default format custom_model */
export interface JobOutputSource {
  job: string;
  output: string;
  format?: ModelFormat;
}

export interface RegisterModelRequest {
  name: string;
  /** Where the model files are: a job output (`job`, `output`) or a folder. */
  source: JobOutputSource | { path: string; format?: ModelFormat };
  /** A model already registered with this key is returned instead of a new version. */
  idempotencyKey: string;
  metrics?: Record<string, number>;
  tags?: Record<string, string>;
  lineage?: ModelLineage;
  description?: string;
}

export interface ModelVersion {
  name: string;
  version: number;
  createdAt: string;
  /** Where the files are: a local folder here, an asset URI in Azure. */
  path: string;
  sha256: string;
  metrics: Record<string, number>;
  tags: Record<string, string>;
  lineage: ModelLineage;
  idempotencyKey: string;
  /** @default custom_model */
  format?: ModelFormat;
  /** Set when the version was copied from another environment's workspace. */
  copiedFrom?: { environment: EnvironmentName; name: string; version: number };
}

export interface ModelRef {
  name: string;
  version: number;
}

export interface DeployRequest {
  endpoint: string;
  /** Deployment name (Azure ML rules: letter first, letters, digits, dashes). */
  deployment: string;
  model: ModelRef;
  /** Path of the AML-style managed online deployment spec (YAML). */
  specPath: string;
  tags?: Record<string, string>;
}

export interface DeploymentInfo {
  name: string;
  endpoint: string;
  model: ModelRef;
  state: 'creating' | 'succeeded' | 'failed';
  error?: string;
  createdAt: string;
}

export interface EndpointInfo {
  name: string;
  environment: EnvironmentName;
  scoringUri: string;
  /** Deployment name -> percent of live traffic (sums to 100 or is empty). */
  traffic: Record<string, number>;
  /** Deployment name -> percent of traffic mirrored (responses discarded). */
  mirrorTraffic: Record<string, number>;
  deployments: DeploymentInfo[];
  /** ARM-style resource id, so alerts can name the endpoint. */
  id: string;
}

/** The scoring request the platform sends: MLflow's `input_data` split orientation. */
export interface ScoreRequest {
  input_data: { columns: string[]; data: unknown[][] };
}

/** What a scoring script answers, read into one shape (shared/scoring/scoringAnswer.ts). */
export type ScoreResponse = ScoringAnswer;

export type ModelSource = JobOutputSource | ModelRef;

/**
 * What one deployment served in a window, as canary analysis needs it: every figure is
 * a count of events, so canary and stable can be compared by a sequential test.
 */
export interface DeploymentTraffic {
  requests: number;
  /** 5xx answers, timeouts and unreachable scoring servers. */
  errors: number;
  /** Requests slower than each threshold asked for, in the same order. */
  slowerThan: number[];
  /** Successful answers per predicted class (the first prediction of each response). */
  predictions: Record<string, number>;
  /** Of `requests`, how many the load generator sent (they count for analysis, never as production data). */
  synthetic: number;
  latencyP50Ms?: number;
  latencyP99Ms?: number;
}

/** How a shadow's answers are compared with the live ones. */
export interface ShadowOptions {
  /** Numeric predictions that differ by at most this agree (a regressor's); without it, predictions agree only when equal. */
  tolerance?: number;
}

export interface TrafficWindow {
  /** Observations strictly after this ISO time... */
  since: string;
  /** ...up to and including this one; pass it as `since` next time. */
  until: string;
  byDeployment: Record<string, DeploymentTraffic>;
}

/** A share of one endpoint's live requests copied to a deployment of another (responses discarded). */
export interface ShadowReport {
  /** Requests copied to the shadow. */
  mirrored: number;
  /** Of those, answered by both with a comparable prediction. */
  compared: number;
  /** Of `compared`, how many predictions were equal. */
  agreed: number;
  shadowErrors: number;
  liveErrors: number;
}

export interface InvokeResult {
  status: number;
  latencyMs: number;
  /** The deployment that answered (`azureml-model-deployment` response header). */
  deployment?: string;
  body: unknown;
}

/** Replays rows against deployments when real traffic is too thin to decide on. */
export interface LoadRequest {
  /** Unique per use (e.g. the release id); ensure() with the same id updates that load. */
  id: string;
  endpoint: string;
  /** Each request goes to one of these, drawn at random, through `azureml-model-deployment`. */
  deployments: string[];
  /** Rows to send, one per request, each drawn at random (independently of the deployment). */
  request: ScoreRequest;
  requestsPerSecond: number;
  /** ISO time after which the load stops by itself. */
  until: string;
}

/** One line a deployment's scoring server printed. */
export interface DeploymentLogLine {
  /** ISO time, when the source records one (Log Analytics, local servers, timestamped lines). */
  time?: string;
  text: string;
}

/** What a deployment's scoring server printed, oldest line first. */
export interface DeploymentLogs {
  /** Where the lines come from: 'local scoring process', 'Azure ML getLogs (inference-server container)', 'Log Analytics <workspace id>'. */
  source: string;
  lines: DeploymentLogLine[];
}

export interface DeploymentLogsOptions {
  /** The newest this many lines (1-5000; more is a BadRequestError). @default 100 */
  tail?: number;
  /** Only lines at or after this ISO time, or this span back from now (`90s`, `15m`, `1h`, `2d`). @default no limit */
  since?: string;
}

/** Runs training jobs (dev). */
export interface TrainingJobs {
  submitJob(request: SubmitJobRequest): Promise<JobInfo>;
  getJob(name: string): Promise<JobInfo | undefined>;
  cancelJob(name: string): Promise<void>;
  /** The last `maxBytes` of a job's log. */
  jobLog(name: string, maxBytes?: number): Promise<string>;
}

/** The environment's model registry. */
export interface ModelRegistry {
  registerModel(request: RegisterModelRequest): Promise<ModelVersion>;
  getModel(ref: ModelRef): Promise<ModelVersion | undefined>;
  listModels(name?: string): Promise<ModelVersion[]>;
  /** Copies a model version from another workspace (promotion); idempotent by source. */
  importModel(from: ModelVersion, fromEnvironment: EnvironmentName): Promise<ModelVersion>;
}

/** Online endpoints, their deployments and traffic split. */
export interface OnlineEndpoints {
  /** Creates the endpoint if missing, then the deployment; resolves when it serves (or failed). */
  deploy(request: DeployRequest): Promise<DeploymentInfo>;
  setTraffic(endpoint: string, traffic: Record<string, number>): Promise<EndpointInfo>;
  deleteDeployment(endpoint: string, deployment: string): Promise<void>;
  getEndpoint(name: string): Promise<EndpointInfo | undefined>;
  listEndpoints(): Promise<EndpointInfo[]>;
}

/** Scoring requests through an online endpoint. */
export interface EndpointScoring {
  /** Sends one scoring request through the endpoint, optionally to a named deployment. */
  invokeEndpoint(endpoint: string, request: ScoreRequest, options?: { deployment?: string; synthetic?: boolean }): Promise<InvokeResult>;
}

/** Scoring with a model outside any endpoint (evaluation). */
export interface BatchScoring {
  /**
   * Scores rows with a model outside any endpoint (evaluation, smoke tests). What it sets
   * up for `source` may serve the next calls too, until finishedScoring; `signal` aborts.
   */
  scoreBatch(source: ModelSource, specPath: string, request: ScoreRequest, options?: { signal?: AbortSignal }): Promise<ScoreResponse>;
  /** Frees what scoreBatch set up for `source` (Azure: an evaluation deployment; locally: the scoring server); optional. */
  finishedScoring?(source: ModelSource): Promise<void>;
}

/** What an endpoint's deployments served (the canary's evidence). */
export interface TrafficSignals {
  /** Per-deployment traffic facts after `since`, with latency counted against `slowThresholdsMs`. */
  trafficSince(endpoint: string, since: string, slowThresholdsMs: number[]): Promise<TrafficWindow>;
}

/** Mirroring live requests to a candidate (staging's shadow test). */
export interface ShadowTraffic {
  /** Copies `percent` of `endpoint`'s live requests to `target` (0 stops it). */
  setShadow(endpoint: string, target: { endpoint: string; deployment: string }, percent: number, options?: ShadowOptions): Promise<void>;
  shadowReport(endpoint: string): Promise<ShadowReport>;
}

/** Synthetic load that tops up thin real traffic. */
export interface SyntheticLoad {
  /** Starts or updates synthetic load (local: in process; Azure: the same HTTP client against the scoring URI). */
  ensureLoad(request: LoadRequest): Promise<void>;
  stopLoad(id: string): Promise<void>;
}

/** What a deployment's scoring server printed. */
export interface DeploymentLogSource {
  /**
   * What a deployment's scoring server printed (stdout and stderr), e.g. why a canary failed.
   * Options are checked by resolveDeploymentLogsOptions (shared/endpoints/deploymentLogs.ts).
   * NotFoundError when the deployment does not exist (Log Analytics, where configured, keeps
   * the lines of deleted deployments: there an unknown one simply has none).
   */
  deploymentLogs(endpoint: string, deployment: string, options?: DeploymentLogsOptions): Promise<DeploymentLogs>;
}

/** Inference data the platform collected (Azure ML's data collector). */
export interface CollectedInference {
  /**
   * Inference data the platform collected for the endpoint's deployments (Azure ML's data
   * collector), as our records, one batch per deployment and hour overlapping [fromIso, toIso).
   */
  collectedInference(
    endpoint: string,
    fromIso: string,
    toIso: string,
    excludedColumns: readonly string[],
  ): AsyncIterable<CollectedInferenceBatch>;
}

/**
 * One environment's ML workspace, one port per role: the core depends on the roles it uses
 * (a stage on its few, see shared/release/context.ts StageWith), never on the whole.
 */
export interface WorkspaceRoles {
  jobs: TrainingJobs;
  models: ModelRegistry;
  endpoints: OnlineEndpoints;
  scoring: EndpointScoring;
  batch: BatchScoring;
  traffic: TrafficSignals;
  shadow: ShadowTraffic;
  load: SyntheticLoad;
  logs: DeploymentLogSource;
  /** Absent where our own router writes the inference records (local). */
  collected?: CollectedInference;
}

/** One deployment's collected records of one hour (UTC), complete as far as the collector has written. */
export interface CollectedInferenceBatch {
  deployment: string;
  /** The hour's start, ISO. */
  hour: string;
  records: InferenceRecordShape[];
  /** Collected events that could not become records, and why (never quoting the data). */
  uncollectable: number;
  reasons: string[];
  /** Requests of our own load generator, recognised and left out. */
  synthetic: number;
}

// ---------------------------------------------------------------- events, identity

/** A CloudEvents 1.0 event the service publishes about itself: one of the event map's (shared/events/outgoing.ts). */
export type { OutgoingEvent, EventEnvelope } from './events/outgoing';

export interface EventPublisher {
  /** Only events of the map: a payload that does not fit its type does not compile. */
  publish(events: OutgoingEvent[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface Logger {
  info(message: string, properties?: Record<string, unknown>): void;
  warn(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}
