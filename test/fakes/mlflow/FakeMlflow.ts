import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer } from '../closeServer';
import { listenLocally } from '../listenLocally';

export interface FakeMetric { key: string; value: number; timestamp: number; step: number }
export interface MlflowCall { method: string; path: string; runId: string | null; authorization?: string; status: number }

/** The tracking API prefix Azure ML serves per workspace (its `mlFlowTrackingUri` in https form). */
const WORKSPACE_PREFIX = /^\/mlflow\/v1\.0\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)(\/.*)$/i;

/**
 * A fake of Azure ML's MLflow tracking server: `GET .../api/2.0/mlflow/runs/get?run_id=` as
 * the open-source MLflow REST API documents it, over HTTPS with a bearer token required.
 */
export class FakeMlflow {
  readonly calls: MlflowCall[] = [];
  /** `${workspace}/${runId}` (lower-case workspace) -> logged metrics, every value as logged. */
  private readonly runs = new Map<string, FakeMetric[]>();
  private constructor(private readonly server: Server, readonly host: string) {}

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

  /** Logs metrics of a run (the job name), appended as `mlflow.log_metric` would. */
  logMetrics(workspace: string, runId: string, metrics: FakeMetric[]): void {
    const key = `${workspace.toLowerCase()}/${runId}`;
    this.runs.set(key, [...(this.runs.get(key) ?? []), ...metrics]);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `https://${this.host}`);
    const call: MlflowCall = { method: req.method ?? 'GET', path: url.pathname, runId: url.searchParams.get('run_id'), authorization: req.headers.authorization, status: 0 };
    this.calls.push(call);
    const send = (status: number, payload: unknown) => {
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    req.resume();
    if (!req.headers.authorization?.startsWith('Bearer ')) return send(401, { error_code: 'UNAUTHENTICATED', message: 'missing bearer token' });
    const m = WORKSPACE_PREFIX.exec(url.pathname);
    if (!m || m[2] !== '/api/2.0/mlflow/runs/get') return send(404, { error_code: 'ENDPOINT_NOT_FOUND', message: `no endpoint ${url.pathname}` });
    if (req.method !== 'GET') return send(405, { error_code: 'BAD_REQUEST', message: 'runs/get is a GET' });
    if (!call.runId) return send(400, { error_code: 'INVALID_PARAMETER_VALUE', message: "missing value for required parameter 'run_id'" });
    const metrics = this.runs.get(`${m[1]!.toLowerCase()}/${call.runId}`);
    if (!metrics) return send(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Run '${call.runId}' not found` });
    send(200, {
      run: {
        info: { run_id: call.runId, run_uuid: call.runId, status: 'FINISHED', lifecycle_stage: 'active' },
        data: { metrics, params: [], tags: [] },
      },
    });
  }
}
