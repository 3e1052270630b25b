import type { Agent } from 'node:https';
import type { TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
} from '@azure/core-rest-pipeline';
import { z } from 'zod';
import type { Logger } from '../../../shared/ports';
import type { ArmSend } from './codeAssets';
import { trustAgent } from '../armMlClient';
import { ensureError } from '../../../shared/errors';

/**
 * The token audience of the MLflow tracking server. Azure ML's own MLflow REST example
 * (azureml-examples, using_mlflow_rest_api.ipynb) authenticates with an ARM token.
 */
export const MLFLOW_TOKEN_SCOPE = 'https://management.azure.com/.default';

export interface MlflowMetricsOptions {
  credential: TokenCredential;
  /** Raw ARM calls, to read the workspace's `mlFlowTrackingUri`. */
  send: ArmSend;
  workspacePath: string;
  /** api-version for the workspace GET. */
  apiVersion: string;
  /** TLS agent (a trusted private CA). @default Node's global agent */
  agent?: Agent;
  /** Token scope for the tracking server. @default MLFLOW_TOKEN_SCOPE */
  scope?: string;
  /** Where the one warning of an outage goes. @default console */
  logger?: Pick<Logger, 'warn'>;
}

const Workspace = z.object({ properties: z.object({ mlFlowTrackingUri: z.string().min(1) }) });
const Metric = z.object({
  key: z.string(),
  value: z.union([z.number(), z.string()]).transform(Number),
  timestamp: z.coerce.number().default(0),
  step: z.coerce.number().default(0),
});
const RunAnswer = z.object({ run: z.object({ data: z.object({ metrics: z.array(Metric).default([]) }).prefault({}) }) });
export type MlflowMetric = z.infer<typeof Metric>;

/**
 * Job metrics from the workspace's MLflow tracking server (the job name is the MLflow run
 * id). Metrics are a nicety here: the evaluation stage computes its own, so an outage
 * yields `{}` and one warning instead of failing the caller.
 */
export class MlflowMetrics {
  private trackingUri?: Promise<string>;
  private readonly pipeline: Pipeline;
  private readonly http: HttpClient = createDefaultHttpClient();
  private warned = false;

  constructor(private readonly options: MlflowMetricsOptions) {
    // Few, short retries: a down tracking server must not hold up a status poll.
    this.pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1000 } });
    this.pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: options.scope ?? MLFLOW_TOKEN_SCOPE }),
    );
    const agent = options.agent;
    if (agent) trustAgent(this.pipeline, agent);
  }

  /** The latest value of each metric of the run; `{}` (and a warning) when MLflow cannot answer. */
  async forRun(runId: string): Promise<Record<string, number>> {
    try {
      const base = await this.baseUrl();
      const request = createPipelineRequest({
        url: `${base}/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(runId)}`,
        method: 'GET',
        headers: createHttpHeaders({ accept: 'application/json' }),
      });
      const response = await this.pipeline.sendRequest(this.http, request);
      // A job that logged nothing has no MLflow run: no metrics, and nothing is wrong.
      if (response.status === 404 && /RESOURCE_DOES_NOT_EXIST/.test(response.bodyAsText ?? '')) return {};
      if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${(response.bodyAsText ?? '').slice(0, 300)}`);
      const metrics = latestMetrics(RunAnswer.parse(JSON.parse(response.bodyAsText ?? '{}')).run.data.metrics);
      this.warned = false;
      return metrics;
    } catch (error) {
      if (!this.warned) {
        this.warned = true;
        (this.options.logger ?? console).warn(
          `job metrics from MLflow are unavailable for ${this.options.workspacePath}; jobs report no metrics until it answers`,
          {
            run: runId,
            error: ensureError(error).message,
          },
        );
      }
      return {};
    }
  }

  /** The tracking URI rarely changes, so it is read once per workspace (again after a failure). */
  private baseUrl(): Promise<string> {
    this.trackingUri ??= (async () => {
      const response = await this.options.send('GET', this.options.workspacePath, this.options.apiVersion);
      if (response.status !== 200) throw new Error(`workspace GET answered HTTP ${response.status}`);
      return toHttpsTrackingUri(Workspace.parse(JSON.parse(response.bodyAsText ?? '{}')).properties.mlFlowTrackingUri);
    })();
    this.trackingUri.catch(() => (this.trackingUri = undefined));
    return this.trackingUri;
  }
}

/** `azureml://<host>[:port]/mlflow/v1.0/...` as the https URL its REST API answers on. */
export function toHttpsTrackingUri(uri: string): string {
  const url = new URL(uri);
  if (url.protocol !== 'azureml:' && url.protocol !== 'https:') throw new Error(`unexpected MLflow tracking URI scheme '${url.protocol}'`);
  return `https://${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** One value per key: the latest by timestamp, then by step (MLflow keeps every logged value). */
export function latestMetrics(metrics: readonly MlflowMetric[]): Record<string, number> {
  const latest = new Map<string, MlflowMetric>();
  for (const m of metrics) {
    if (!Number.isFinite(m.value)) continue;
    const seen = latest.get(m.key);
    if (!seen || m.timestamp > seen.timestamp || (m.timestamp === seen.timestamp && m.step >= seen.step)) latest.set(m.key, m);
  }
  return Object.fromEntries([...latest].map(([key, m]) => [key, m.value]));
}
