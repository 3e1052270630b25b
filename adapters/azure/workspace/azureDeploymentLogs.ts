import type { TokenCredential } from '@azure/core-auth';
import { LogsQueryClient, LogsQueryResultStatus, type LogsTable } from '@azure/monitor-query-logs';
import { AutopilotError, ensureError } from '../../../shared/errors';
import type { DeploymentLogLine, DeploymentLogs, DeploymentLogsOptions } from '../../../shared/ports';
import { resolveDeploymentLogsOptions, splitLogLines, windowLogLines } from '../../../shared/endpoints/deploymentLogs';
import { trustAgent } from '../armMlClient';
import { armName, type ArmWorkspaceClient } from './armWorkspaceClient';
import { armCall } from './mapArmError';

/** Public Azure's Log Analytics query API; AUTOPILOT_LOGS_ENDPOINT points elsewhere (sovereign clouds). */
export const DEFAULT_LOGS_ENDPOINT = 'https://api.loganalytics.io';
/** The table a diagnostic setting on an online endpoint fills with its containers' console output. */
export const CONSOLE_LOG_TABLE = 'AmlOnlineEndpointConsoleLog';
/** Without `since`, Log Analytics is searched this far back. */
const DEFAULT_SPAN_MS = 7 * 86_400_000;

export interface AzureDeploymentLogsOptions {
  /**
   * Workspace ID (GUID) of the Log Analytics workspace receiving AmlOnlineEndpointConsoleLog.
   * @default none: the running container's logs through getLogs
   */
  logAnalyticsWorkspaceId?: string;
  /** Log Analytics query API base URL (app setting AUTOPILOT_LOGS_ENDPOINT). @default https://api.loganalytics.io */
  logsEndpoint?: string;
}

/**
 * Deployment logs on Azure: by default Azure ML's getLogs (the inference-server container as
 * it runs now); when a Log Analytics workspace is configured, AmlOnlineEndpointConsoleLog,
 * which keeps history beyond the container's life (a rolled-back canary's lines included).
 */
export class AzureDeploymentLogs {
  private logsClient?: LogsQueryClient;

  constructor(
    private readonly arm: ArmWorkspaceClient,
    private readonly options: AzureDeploymentLogsOptions & { credential: TokenCredential },
  ) {}

  async deploymentLogs(endpoint: string, deployment: string, options: DeploymentLogsOptions = {}): Promise<DeploymentLogs> {
    const window = resolveDeploymentLogsOptions(options, this.arm.now());
    armName('endpoint', endpoint);
    armName('deployment', deployment);
    const workspaceId = this.options.logAnalyticsWorkspaceId;
    if (workspaceId)
      return { source: `Log Analytics ${workspaceId}`, lines: await this.fromLogAnalytics(workspaceId, endpoint, deployment, window) };
    const answer = await armCall(
      () =>
        this.arm.client.onlineDeployments.getLogs(this.arm.rg, this.arm.ws, endpoint, deployment, {
          containerType: 'InferenceServer',
          tail: window.tail,
        }),
      'deployment',
      `${endpoint}/${deployment}`,
    );
    // getLogs has no time filter: `since` applies to the lines that print their time.
    return { source: 'Azure ML getLogs (inference-server container)', lines: windowLogLines(splitLogLines(answer.content ?? ''), window) };
  }

  private async fromLogAnalytics(
    workspaceId: string,
    endpoint: string,
    deployment: string,
    window: { tail: number; since?: string },
  ): Promise<DeploymentLogLine[]> {
    const endpointId = `${this.arm.workspacePath}/onlineEndpoints/${endpoint}`;
    const query = consoleLogQuery(endpointId, deployment, window.tail);
    const now = this.arm.now();
    const timespan = { startTime: window.since ? new Date(window.since) : new Date(now.getTime() - DEFAULT_SPAN_MS), endTime: now };
    let result;
    try {
      result = await this.client().queryWorkspace(workspaceId, query, timespan);
    } catch (error) {
      throw logAnalyticsError(error, workspaceId);
    }
    const tables = result.status === LogsQueryResultStatus.Success ? result.tables : result.partialTables;
    return tables[0] ? linesOf(tables[0]) : [];
  }

  private client(): LogsQueryClient {
    if (this.logsClient) return this.logsClient;
    const base = (this.options.logsEndpoint ?? DEFAULT_LOGS_ENDPOINT).replace(/\/+$/, '');
    // The SDK uses `endpoint` verbatim (no /v1 added) and asks public Azure's audience unless told.
    this.logsClient = new LogsQueryClient(this.options.credential, {
      endpoint: `${base}/v1`,
      credentials: { scopes: [`${new URL(base).origin}/.default`] },
    });
    if (this.arm.agent) trustAgent(this.logsClient.pipeline, this.arm.agent);
    return this.logsClient;
  }
}

/**
 * The KQL for one deployment's newest `tail` console lines, oldest first. The table has no
 * endpoint column: `_ResourceId` is the endpoint's ARM id (upper-cased by Azure, hence `=~`),
 * which also keeps apart the same endpoint name in another workspace sending to this one.
 */
export function consoleLogQuery(endpointResourceId: string, deployment: string, tail: number): string {
  return [
    CONSOLE_LOG_TABLE,
    `| where _ResourceId =~ ${kqlString(endpointResourceId)}`,
    `| where DeploymentName == ${kqlString(deployment)}`,
    `| top ${Math.trunc(tail)} by TimeGenerated desc`,
    '| sort by TimeGenerated asc',
    '| project TimeGenerated, Message',
  ].join('\n');
}

/** A KQL string literal (names are validated already; this keeps a stray quote harmless anyway). */
export function kqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function linesOf(table: LogsTable): DeploymentLogLine[] {
  const column = (name: string) => table.columnDescriptors.findIndex((c) => c.name === name);
  const [time, message] = [column('TimeGenerated'), column('Message')];
  if (message < 0)
    throw new AutopilotError(
      `Log Analytics answered without a Message column (columns: ${table.columnDescriptors.map((c) => c.name).join(', ')})`,
    );
  return table.rows.map((row) => {
    const at = time >= 0 ? row[time] : undefined;
    const text = String(row[message] ?? '').replace(/\r?\n$/, '');
    return at instanceof Date || typeof at === 'string' ? { time: new Date(at).toISOString(), text } : { text };
  });
}

function logAnalyticsError(error: unknown, workspaceId: string): AutopilotError {
  const status = (error as { statusCode?: number }).statusCode;
  const message = ensureError(error).message ?? String(error);
  const where = `Log Analytics workspace ${workspaceId}`;
  let hint = '';
  if (status === 403)
    hint = `: grant the app's identity the role 'Log Analytics Reader' on that Log Analytics workspace (az role assignment create --assignee <object-id> --role "Log Analytics Reader" --scope <its resource id>)`;
  else if (status === 404)
    hint =
      ': check environments.<env>.logAnalyticsWorkspaceId in autopilot.yaml (the Workspace ID, a GUID: az monitor log-analytics workspace show --query customerId)';
  // The service puts "Failed to resolve table … AmlOnlineEndpointConsoleLog" in the inner error.
  else if (status === 400 && `${message} ${JSON.stringify((error as { details?: unknown }).details ?? '')}`.includes(CONSOLE_LOG_TABLE)) {
    hint = `: the workspace has no ${CONSOLE_LOG_TABLE} table yet; add a diagnostic setting on the online endpoint that sends the category ${CONSOLE_LOG_TABLE} to it`;
  }
  return new AutopilotError(`${where} refused the console log query${status ? ` (HTTP ${status})` : ''}${hint || `: ${message}`}`, {
    retryable: status === undefined || status >= 500 || status === 429,
    cause: error,
  });
}
