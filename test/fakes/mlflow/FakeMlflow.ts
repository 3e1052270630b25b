import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer } from '../closeServer';
import { listenLocally } from '../listenLocally';

export interface FakeMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}
export interface MlflowCall {
  method: string;
  path: string;
  runId: string | null;
  authorization?: string;
  status: number;
  body?: unknown;
}

/** The tracking API prefix Azure ML serves per workspace (its `mlFlowTrackingUri` in https form). */
const WORKSPACE_PREFIX =
  /^\/mlflow\/v1\.0\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)(\/.*)$/i;

/**
 * MLflow's request limits for runs/log-batch, as the REST API reference states them
 * (mlflow/mlflow docs/api_reference/source/rest-api.rst, "Log Batch", "Request Limits"):
 * a JSON body up to 1 MB with at most 1000 metrics, 100 params, 100 tags, 1000 in total.
 */
const MAX_BATCH_BYTES = 1_000_000;
const MAX_METRICS = 1000;
const MAX_PARAMS = 100;
const MAX_TAGS = 100;
const MAX_ENTITIES = 1000;

class MlflowError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}
const invalid = (message: string) => new MlflowError(400, 'INVALID_PARAMETER_VALUE', message);

/**
 * A fake of Azure ML's MLflow tracking server, over HTTPS with a bearer token required, answering
 * the routes of the open-source MLflow REST API (https://mlflow.org/docs/latest/rest-api.html) that
 * the autopilot and its trainers use:
 *
 * - `GET .../api/2.0/mlflow/runs/get?run_id=`: the run's metrics (MlflowMetrics reads them);
 * - `POST .../api/2.0/mlflow/runs/log-batch`: what the TypeScript trainer sends (and what
 *   Python's `mlflow.log_metrics` sends);
 * - `POST .../api/2.0/mlflow/runs/log-metric`: what Python's `mlflow.log_metric` sends.
 *
 * The POSTs refuse what MLflow's server refuses (mlflow/server/handlers.py `_log_batch`,
 * `_log_metric`): a missing `run_id`, a metric without `key`, `value` or `timestamp`, a value that
 * is not a number, a timestamp or step that is not an integer, and a batch over the limits above.
 * Logging into a run that does not exist is RESOURCE_DOES_NOT_EXIST: on Azure ML the job creates its
 * run; here `createRun` (or `logMetrics`) does.
 */
export class FakeMlflow {
  readonly calls: MlflowCall[] = [];
  /** `${workspace}/${runId}` (lower-case workspace) -> logged metrics, every value as logged. */
  private readonly runs = new Map<string, FakeMetric[]>();
  private constructor(
    private readonly server: Server,
    readonly host: string,
  ) {}

  static async start(tls: { key: string; cert: string }): Promise<FakeMlflow> {
    let fake: FakeMlflow | undefined;
    const server = createServer(tls, (req, res) => fake!.handle(req, res));
    const port = await listenLocally(server);
    fake = new FakeMlflow(server, `127.0.0.1:${port}`);
    return fake;
  }

  /** The workspace property Azure ML answers: `azureml://<host>/mlflow/v1.0<workspace path>`. */
  trackingUri(workspacePath: string): string {
    return `azureml://${this.host}/mlflow/v1.0${workspacePath}`;
  }

  /** Creates a run with no metrics, as Azure ML does for a job (the run id is the job name). */
  createRun(workspace: string, runId: string): void {
    const key = `${workspace.toLowerCase()}/${runId}`;
    if (!this.runs.has(key)) this.runs.set(key, []);
  }

  /** Logs metrics of a run (the job name), appended as `mlflow.log_metric` would. */
  logMetrics(workspace: string, runId: string, metrics: FakeMetric[]): void {
    const key = `${workspace.toLowerCase()}/${runId}`;
    this.runs.set(key, [...(this.runs.get(key) ?? []), ...metrics]);
  }

  /** Every value logged to a run, in order; undefined for a run that does not exist. */
  metricsOf(workspace: string, runId: string): FakeMetric[] | undefined {
    return this.runs.get(`${workspace.toLowerCase()}/${runId}`)?.map((m) => ({ ...m }));
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `https://${this.host}`);
    const call: MlflowCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      runId: url.searchParams.get('run_id'),
      authorization: req.headers.authorization,
      status: 0,
    };
    this.calls.push(call);
    const send = (status: number, payload: unknown) => {
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        send(200, this.route(req, url, call, Buffer.concat(chunks)));
      } catch (error) {
        if (error instanceof MlflowError) send(error.status, { error_code: error.errorCode, message: error.message });
        else send(500, { error_code: 'INTERNAL_ERROR', message: String(error) });
      }
    });
  }

  private route(req: IncomingMessage, url: URL, call: MlflowCall, raw: Buffer): unknown {
    if (!req.headers.authorization?.startsWith('Bearer ')) throw new MlflowError(401, 'UNAUTHENTICATED', 'missing bearer token');
    const m = WORKSPACE_PREFIX.exec(url.pathname);
    const endpoint = m?.[2];
    const routes: Record<string, string> = {
      '/api/2.0/mlflow/runs/get': 'GET',
      '/api/2.0/mlflow/runs/log-batch': 'POST',
      '/api/2.0/mlflow/runs/log-metric': 'POST',
    };
    if (!m || !endpoint || !routes[endpoint]) throw new MlflowError(404, 'ENDPOINT_NOT_FOUND', `no endpoint ${url.pathname}`);
    if (req.method !== routes[endpoint]) throw new MlflowError(405, 'BAD_REQUEST', `${endpoint} is a ${routes[endpoint]}`);
    const workspace = m[1]!.toLowerCase();
    if (endpoint === '/api/2.0/mlflow/runs/get') {
      if (!call.runId) throw invalid("Missing value for required parameter 'run_id'");
      const metrics = this.existingRun(workspace, call.runId);
      return {
        run: {
          info: { run_id: call.runId, run_uuid: call.runId, status: 'FINISHED', lifecycle_stage: 'active' },
          data: { metrics, params: [], tags: [] },
        },
      };
    }
    // MLflow requires application/json for every POST (rest-api.rst, "important").
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      throw new MlflowError(400, 'BAD_REQUEST', 'POST requests need content type application/json');
    if (raw.length > MAX_BATCH_BYTES && endpoint === '/api/2.0/mlflow/runs/log-batch') {
      throw invalid(`Batched logging API requests must be at most ${MAX_BATCH_BYTES} bytes, got a request of ${raw.length} bytes`);
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    } catch {
      throw new MlflowError(400, 'MALFORMED_REQUEST', 'the request body is not a JSON object');
    }
    call.body = body;
    const runId = body['run_id'];
    call.runId = typeof runId === 'string' ? runId : null;
    if (runId === undefined || runId === null || runId === '') throw invalid("Missing value for required parameter 'run_id'");
    if (typeof runId !== 'string') throw invalid(`Invalid value ${JSON.stringify(runId)} for parameter 'run_id': must be a string`);
    if (endpoint === '/api/2.0/mlflow/runs/log-metric') {
      const metric = parseMetric(body, '');
      this.existingRun(workspace, runId).push(metric);
      return {};
    }
    const metrics = arrayField(body, 'metrics');
    const params = arrayField(body, 'params');
    const tags = arrayField(body, 'tags');
    if (metrics.length > MAX_METRICS)
      throw invalid(
        `A batch logging request can contain at most ${MAX_METRICS} metrics. Got ${metrics.length} metrics. Please split up metrics across multiple requests and try again.`,
      );
    if (params.length > MAX_PARAMS)
      throw invalid(`A batch logging request can contain at most ${MAX_PARAMS} params. Got ${params.length} params.`);
    if (tags.length > MAX_TAGS) throw invalid(`A batch logging request can contain at most ${MAX_TAGS} tags. Got ${tags.length} tags.`);
    const total = metrics.length + params.length + tags.length;
    if (total > MAX_ENTITIES)
      throw invalid(`A batch logging request can contain at most ${MAX_ENTITIES} metrics, params, and tags in total. Got ${total}.`);
    const parsed = metrics.map((item, i) => parseMetric(item, `metrics[${i}].`));
    params.forEach((p, i) => requireKey(p, `params[${i}].key`));
    tags.forEach((t, i) => requireKey(t, `tags[${i}].key`));
    this.existingRun(workspace, runId).push(...parsed);
    return {};
  }

  private existingRun(workspace: string, runId: string): FakeMetric[] {
    const metrics = this.runs.get(`${workspace}/${runId}`);
    if (!metrics) throw new MlflowError(404, 'RESOURCE_DOES_NOT_EXIST', `Run '${runId}' not found`);
    return metrics;
  }
}

function arrayField(body: Record<string, unknown>, name: string): unknown[] {
  const value = body[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(`Invalid value ${JSON.stringify(value)} for parameter '${name}': must be an array`);
  return value;
}

function requireKey(item: unknown, path: string): void {
  const key = (item as Record<string, unknown> | null)?.['key'];
  if (key === undefined || key === null || key === '') throw invalid(`Missing value for required parameter '${path}'`);
}

/** A metric as MLflow accepts it: key, value (a number, or "NaN"/"Infinity"/"-Infinity") and timestamp required; step optional. */
function parseMetric(item: unknown, prefix: string): FakeMetric {
  if (typeof item !== 'object' || item === null)
    throw invalid(`Invalid value ${JSON.stringify(item)} for parameter '${prefix || 'metric'}': must be an object`);
  const m = item as Record<string, unknown>;
  for (const field of ['key', 'value', 'timestamp']) {
    if (m[field] === undefined || m[field] === null || m[field] === '')
      throw invalid(`Missing value for required parameter '${prefix}${field}'`);
  }
  if (typeof m['key'] !== 'string')
    throw invalid(`Invalid value ${JSON.stringify(m['key'])} for parameter '${prefix}key': must be a string`);
  const value =
    typeof m['value'] === 'number'
      ? m['value']
      : ['NaN', 'Infinity', '-Infinity'].includes(m['value'] as string)
        ? Number(m['value'])
        : undefined;
  if (value === undefined) throw invalid(`Invalid value ${JSON.stringify(m['value'])} for parameter '${prefix}value': must be a number`);
  const integer = (field: string, fallback?: number): number => {
    const raw = m[field] ?? fallback;
    const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isSafeInteger(n))
      throw invalid(`Invalid value ${JSON.stringify(m[field])} for parameter '${prefix}${field}': must be an integer`);
    return n;
  };
  return { key: m['key'], value, timestamp: integer('timestamp'), step: integer('step', 0) };
}
