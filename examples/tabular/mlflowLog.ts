/**
 * Logs the trainer's metrics into the job's MLflow run over MLflow's REST API, so that a job
 * on Azure ML reports them as a Python job using `mlflow.log_metric` does. Node has no MLflow
 * client; this is `POST <tracking server>/api/2.0/mlflow/runs/log-batch` with fetch.
 *
 * What an Azure ML command job's container has, and where that is known from:
 *
 * - `MLFLOW_TRACKING_URI` (`azureml://<region>.api.azureml.ms/mlflow/v1.0/subscriptions/…/workspaces/<ws>`),
 *   `MLFLOW_RUN_ID` (the job's run; its id is the job name) and `MLFLOW_EXPERIMENT_ID`: Azure ML
 *   documents that jobs need no tracking configuration ("Configure MLflow for Azure Machine
 *   Learning", learn.microsoft.com/azure/machine-learning/how-to-use-mlflow-configure-tracking),
 *   and users report the runtime sets (and overwrites) these three in the job
 *   (github.com/Azure/azure-sdk-for-python/issues/38813).
 * - `MLFLOW_TRACKING_TOKEN`: not in Microsoft's documentation. It is what the azureml-mlflow
 *   plugin itself authenticates with inside a job: its `_mlflow_env_vars_set()` requires
 *   MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN, MLFLOW_RUN_ID and MLFLOW_EXPERIMENT_ID/NAME, and
 *   `get_service_context_from_tracking_url_mlflow_env_vars` then sends that token, as
 *   `Authorization: Bearer`, to `https://<netloc of MLFLOW_TRACKING_URI>` (azureml-mlflow,
 *   azureml/mlflow/_internal/utils.py and _store loader). Other tools observe Azure ML injecting
 *   it (github.com/zenml-io/zenml/issues/4407).
 *
 * So this module does what the plugin does, with the same variables: it is the documented
 * contract minus the token's name, which is observable in the plugin's source. The alternative,
 * writing metrics to an output folder for the autopilot to read back, would work without any
 * token but would show nothing in Azure ML studio and need a second reader; MLflow is where
 * Azure ML, and the autopilot's MlflowMetrics, look for a job's metrics.
 *
 * Inferred, not verified against Azure: the REST path. The plugin (mlflow >= 2) calls
 * `https://<host>/mlflow/v2.0/<workspace scope>/api/2.0/mlflow/...`; this module keeps the path of
 * MLFLOW_TRACKING_URI (`/mlflow/v1.0/...`), as Azure ML's own REST example and the autopilot's
 * reader (adapters/azure/workspace/mlflowMetrics.ts) do.
 *
 * Plain MLflow servers work too: an `http(s)://` URI, with MLFLOW_TRACKING_TOKEN or
 * MLFLOW_TRACKING_USERNAME/PASSWORD as the MLflow client reads them.
 */

/** Where and how to log: the REST base, the run and the Authorization header. */
export interface MlflowTarget {
  /** `https://host/path` (no trailing slash); `/api/2.0/mlflow/...` is appended. */
  baseUrl: string;
  runId: string;
  authorization?: string;
}

/**
 * MLflow as the environment configures it: undefined when MLFLOW_TRACKING_URI is not set (no
 * MLflow expected), a target, or the reason it cannot be used (MLflow is expected but this
 * process cannot log to it).
 */
export function mlflowTargetFromEnv(env: NodeJS.ProcessEnv = process.env): MlflowTarget | { problem: string } | undefined {
  const uri = env['MLFLOW_TRACKING_URI']?.trim();
  if (!uri) return undefined;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { problem: `MLFLOW_TRACKING_URI '${redactUri(uri)}' is not a URL` };
  }
  const azureml = url.protocol === 'azureml:';
  if (!azureml && url.protocol !== 'https:' && url.protocol !== 'http:') {
    return {
      problem: `MLFLOW_TRACKING_URI '${redactUri(uri)}' is not a tracking server this trainer can reach over REST (azureml://, https:// or http://)`,
    };
  }
  const runId = env['MLFLOW_RUN_ID']?.trim();
  if (!runId)
    return {
      problem: "MLFLOW_TRACKING_URI is set but MLFLOW_RUN_ID is not; this trainer logs into the job's run and does not create runs",
    };
  const token = env['MLFLOW_TRACKING_TOKEN']?.trim();
  const user = env['MLFLOW_TRACKING_USERNAME'];
  const password = env['MLFLOW_TRACKING_PASSWORD'];
  // The MLflow client prefers basic auth when both are set, then the token (mlflow/utils/rest_utils.py).
  const authorization =
    user && password ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : token ? `Bearer ${token}` : undefined;
  if (azureml && !authorization) return { problem: 'MLFLOW_TRACKING_URI is an Azure ML workspace but MLFLOW_TRACKING_TOKEN is not set' };
  const scheme = azureml ? 'https:' : url.protocol;
  return { baseUrl: `${scheme}//${url.host}${url.pathname.replace(/\/+$/, '')}`, runId, ...(authorization ? { authorization } : {}) };
}

/** The URI as it may be shown in a job's log: without user info (user:password@) or query and fragment (a token). */
function redactUri(uri: string): string {
  return uri.replace(/^([^:/?#]*:\/\/)[^/?#]*@/, '$1***@').replace(/[?#].*$/, '?***');
}

export interface LogMetricsOptions {
  /** Milliseconds since the epoch stamped on every metric. @default Date.now() */
  timestamp?: number;
  /** Delays before the retries of a request that failed on the network, 429 or 5xx. @default [1000, 3000] */
  retryDelaysMs?: readonly number[];
  /** Per-request time limit. @default 30 s */
  timeoutMs?: number;
}

/** MLflow accepts at most 1000 metrics in one runs/log-batch request (REST API, "Log Batch"). */
export const MAX_METRICS_PER_BATCH = 1000;

/** Logs the metrics (step 0, one timestamp) into the run; throws, saying why, if MLflow does not take them. */
export async function logMetricsToMlflow(
  target: MlflowTarget,
  metrics: readonly (readonly [string, number])[],
  options: LogMetricsOptions = {},
): Promise<void> {
  const timestamp = options.timestamp ?? Date.now();
  const finite = metrics.filter(([, value]) => Number.isFinite(value));
  for (let i = 0; i < finite.length; i += MAX_METRICS_PER_BATCH) {
    const batch = finite.slice(i, i + MAX_METRICS_PER_BATCH).map(([key, value]) => ({ key, value, timestamp, step: 0 }));
    await post(target, '/api/2.0/mlflow/runs/log-batch', { run_id: target.runId, metrics: batch }, options);
  }
}

async function post(target: MlflowTarget, path: string, body: unknown, options: LogMetricsOptions): Promise<void> {
  const url = `${target.baseUrl}${path}`;
  const delays = options.retryDelaysMs ?? [1000, 3000];
  for (let attempt = 0; ; attempt++) {
    let failure: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(target.authorization ? { authorization: target.authorization } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      const text = await response.text();
      if (response.ok) return;
      failure = `HTTP ${response.status} ${describeError(text)}${response.status === 401 ? expiredNote(target.authorization) : ''}`;
      // A refusal (bad request, auth, no such run) will not change on a retry.
      if (response.status !== 429 && response.status < 500)
        throw new MlflowRefusal(`MLflow refused ${path} at ${target.baseUrl}: ${failure}`);
    } catch (error) {
      if (error instanceof MlflowRefusal) throw error;
      failure = describeFetchError(error);
    }
    if (attempt >= delays.length)
      throw new Error(`MLflow did not take ${path} at ${target.baseUrl} after ${attempt + 1} attempts: ${failure}`);
    await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
  }
}

class MlflowRefusal extends Error {}

/** MLflow's `{error_code, message}`, or the start of whatever else came back. */
function describeError(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    if (parsed.error_code || parsed.message) return `${String(parsed.error_code ?? '')}: ${String(parsed.message ?? '')}`.trim();
  } catch {
    // not JSON
  }
  return text.slice(0, 300);
}

function describeFetchError(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  return e.cause ? `${e.message} (${e.cause.code ?? e.cause.message ?? String(e.cause)})` : e.message;
}

/** For a 401: whether the bearer token (a JWT) had expired, which a long training run can outlive. */
function expiredNote(authorization: string | undefined): string {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
  const payload = token?.split('.')[1];
  if (!payload) return '';
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    if (typeof exp === 'number' && exp * 1000 < Date.now())
      return ` (MLFLOW_TRACKING_TOKEN expired at ${new Date(exp * 1000).toISOString()})`;
  } catch {
    // not a JWT
  }
  return '';
}
