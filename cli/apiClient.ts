import type { z } from 'zod';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import {
  DeploymentLogsResponse,
  type DeploymentLogsView,
  EventsResponse,
  type EventView,
  PipelineRollbackResponse,
  type PipelineRollback,
  EndpointsResponse,
  ErrorBody,
  HealthResponse,
  ModelsResponse,
  ReleaseDetailResponse,
  ReleaseResponse,
  ReleasesResponse,
  type EndpointView,
  type ModelView,
  type ReleaseDetail,
  type ReleaseView,
  type UnreadableView,
  ReleaseReportResponse,
  AlertsResponse,
  AuditResponse,
  MonitorRunResponse,
  MonitorRunsResponse,
  type AlertView,
  type AuditView,
  type MonitorRunView,
  DashboardSessionResponse,
} from './apiSchemas';
import type { ReleaseReport } from '../shared/release/report';
import { ApiError, ApiUnreachableError, CliError, EXIT, networkProblem } from './errors';
import type { ApiSettings } from './settings';
import { ensureError } from '../shared/errors';

export interface ApiClientOptions {
  /** Per-request timeout. @default 15000 */
  timeoutMs?: number;
  /** Who gets Entra ID tokens when the settings name a scope. @default DefaultAzureCredential (az login, environment, managed identity) */
  credential?: TokenCredential;
}

export interface ReleaseQuery {
  pipeline?: string;
  status?: string;
  limit?: number;
}

/** The autopilot HTTP API as typed calls; every response is validated before use. */
export class ApiClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly scope: string | undefined;
  private readonly timeoutMs: number;

  constructor(
    settings: Pick<ApiSettings, 'baseUrl' | 'token' | 'scope'>,
    private readonly options: ApiClientOptions = {},
  ) {
    this.baseUrl = settings.baseUrl;
    this.token = settings.token;
    this.scope = settings.scope;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** The bearer for a request: as given, or an Entra ID token for the API's scope (the credential caches it). */
  private async bearer(): Promise<string | undefined> {
    if (this.token || !this.scope) return this.token;
    const credential = this.options.credential ?? new DefaultAzureCredential();
    try {
      return (await credential.getToken(this.scope))?.token;
    } catch (error) {
      throw new CliError(
        `could not get an Entra ID token for ${this.scope}: ${ensureError(error).message.split('\n')[0]}; sign in with az login (or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET)`,
        EXIT.auth,
      );
    }
  }

  health(): Promise<HealthResponse> {
    return this.request('GET', '/health', HealthResponse);
  }

  async listReleases(query: ReleaseQuery = {}): Promise<ReleaseView[]> {
    return (await this.scanReleases(query)).releases;
  }

  /** The releases and, apart, the stored records that do not parse. */
  async scanReleases(query: ReleaseQuery = {}): Promise<{ releases: ReleaseView[]; unreadable: UnreadableView[] }> {
    const { releases, unreadable } = await this.request('GET', `/releases${toQuery(query)}`, ReleasesResponse);
    return { releases, unreadable };
  }

  /** The release's decision record, as JSON (the CLI renders Markdown itself, with the same code as the API). */
  async getReleaseReport(id: string): Promise<ReleaseReport> {
    return (await this.request('GET', `/releases/${encodeURIComponent(id)}/report`, ReleaseReportResponse))
      .report as unknown as ReleaseReport;
  }

  getRelease(id: string): Promise<ReleaseDetail> {
    return this.request('GET', `/releases/${encodeURIComponent(id)}`, ReleaseDetailResponse);
  }

  async startRelease(body: { pipeline: string; blob?: string }): Promise<ReleaseView> {
    return (await this.request('POST', '/releases', ReleaseResponse, body)).release;
  }

  /** approve | promote | cancel | rollback | repair of one release. */
  async actOnRelease(id: string, action: 'approve' | 'promote' | 'cancel' | 'rollback' | 'repair', reason?: string): Promise<ReleaseView> {
    const body = reason ? { reason } : {};
    return (await this.request('POST', `/releases/${encodeURIComponent(id)}/${action}`, ReleaseResponse, body)).release;
  }

  async rollbackPipeline(pipeline: string, reason?: string): Promise<PipelineRollback> {
    const body = reason ? { reason } : {};
    return (await this.request('POST', `/pipelines/${encodeURIComponent(pipeline)}/rollback`, PipelineRollbackResponse, body)).rollback;
  }

  async listEndpoints(): Promise<EndpointView[]> {
    return (await this.request('GET', '/endpoints', EndpointsResponse)).endpoints;
  }

  async listEvents(query: { type?: string; limit?: number } = {}): Promise<EventView[]> {
    const params = new URLSearchParams();
    if (query.type) params.set('type', query.type);
    if (query.limit) params.set('limit', String(query.limit));
    const suffix = params.size ? `?${params}` : '';
    return (await this.request('GET', `/events${suffix}`, EventsResponse)).events;
  }

  /** A deployment's log lines; a minute allowed, since a Log Analytics query can take a while. */
  async deploymentLogs(
    endpoint: string,
    deployment: string,
    query: { environment: string; tail?: number; since?: string },
  ): Promise<DeploymentLogsView> {
    const params = new URLSearchParams({ environment: query.environment });
    if (query.tail !== undefined) params.set('tail', String(query.tail));
    if (query.since) params.set('since', query.since);
    const path = `/endpoints/${encodeURIComponent(endpoint)}/deployments/${encodeURIComponent(deployment)}/logs?${params}`;
    return this.request('GET', path, DeploymentLogsResponse, undefined, 60_000);
  }

  async listMonitorRuns(pipeline: string, limit?: number): Promise<MonitorRunView[]> {
    const suffix = limit ? `?limit=${limit}` : '';
    return (await this.request('GET', `/monitors/${encodeURIComponent(pipeline)}${suffix}`, MonitorRunsResponse)).runs;
  }

  /** A monitor run now; a minute allowed, since it reads a window of inference data. */
  async runMonitor(pipeline: string): Promise<MonitorRunView> {
    return (await this.request('POST', `/monitors/${encodeURIComponent(pipeline)}/run`, MonitorRunResponse, {}, 60_000)).run;
  }

  async listAlerts(limit?: number): Promise<AlertView[]> {
    return (await this.request('GET', `/alerts${limit ? `?limit=${limit}` : ''}`, AlertsResponse)).alerts;
  }

  /** The audit log across releases; `since`/`until` as typed (ISO or spans, resolved on the host's clock). */
  listAudit(query: { since?: string; until?: string; pipeline?: string; release?: string; limit?: number }): Promise<AuditView> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
    return this.request('GET', `/audit${params.size ? `?${params}` : ''}`, AuditResponse);
  }

  /** A one-time link that signs the caller in to the dashboard (two minutes, once). */
  async createDashboardSession(): Promise<{ url: string; expiresAt: string }> {
    const { url, expiresAt } = await this.request('POST', '/dashboard/sessions', DashboardSessionResponse, {});
    return { url, expiresAt };
  }

  async listModels(): Promise<ModelView[]> {
    return (await this.request('GET', '/models', ModelsResponse)).models;
  }

  private async request<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
    timeoutMs = this.timeoutMs,
  ): Promise<z.infer<S>> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    const bearer = await this.bearer();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new ApiUnreachableError(this.baseUrl, networkProblem(error));
    }
    const json = parseJson(text);
    if (!response.ok) {
      const parsed = ErrorBody.safeParse(json);
      if (parsed.success) throw new ApiError(response.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.where);
      throw new ApiError(response.status, 'http_error', `${method} ${url} answered ${response.status} ${response.statusText || ''}`.trim());
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CliError(
        `Unexpected response from ${method} ${url}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'not JSON'}. ` +
          'Is --url pointing at an autopilot host of the same version?',
      );
    }
    return parsed.data;
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function toQuery(query: ReleaseQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
