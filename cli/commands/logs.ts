import { InvalidArgumentError, type Command } from 'commander';
import { z } from 'zod';
import { EnvironmentName, endpointOwner } from '../../shared/config/schema';
import { MAX_LOG_TAIL, resolveSince } from '../../shared/endpoints/deploymentLogs';
import { ErrorBody } from '../apiSchemas';
import type { CommandContext } from '../context';
import { ApiError, ApiUnreachableError, CliError, networkProblem, UsageError } from '../errors';
import { printJson, printLines } from '../io';
import { resolveApiSettings } from '../settings';

interface LogsOptions {
  environment?: EnvironmentName;
  tail?: number;
  since?: string;
  json?: boolean;
}

export const DeploymentLogsResponse = z.looseObject({
  endpoint: z.string(),
  deployment: z.string(),
  environment: z.string(),
  source: z.string(),
  lines: z.array(z.looseObject({ time: z.string().optional(), text: z.string() })),
});
export type DeploymentLogsView = z.infer<typeof DeploymentLogsResponse>;

/** What a deployment's scoring server printed: on stdout the lines, on stderr where they came from. */
export function registerLogsCommand(program: Command, context: CommandContext): void {
  program
    .command('logs')
    .description("Show what a deployment's scoring server printed (e.g. why a canary was rolled back)")
    .argument('<endpoint>', 'endpoint name, e.g. default-prod')
    .argument('<deployment>', 'deployment name, e.g. green')
    .option('--environment <env>', 'dev, staging or prod (default: the one the endpoint name ends with)', parseEnvironment)
    .option('--tail <n>', `the newest n lines, at most ${MAX_LOG_TAIL} (default 100)`, parseTail)
    .option('--since <time>', 'only lines since an ISO time or a span back from now: 90s, 15m, 1h, 2d', parseSinceOption)
    .option('--json', 'print only JSON: {endpoint, deployment, environment, source, lines: [{time?, text}]}')
    .action(async (endpoint: string, deployment: string, options: LogsOptions, command: Command) => {
      const environment = options.environment ?? endpointOwner(endpoint)?.environment;
      if (!environment) throw new UsageError(`cannot tell the environment of '${endpoint}' from its name; pass --environment dev|staging|prod`);
      const params = new URLSearchParams({ environment });
      if (options.tail !== undefined) params.set('tail', String(options.tail));
      if (options.since) params.set('since', options.since);
      const path = `/endpoints/${encodeURIComponent(endpoint)}/deployments/${encodeURIComponent(deployment)}/logs?${params}`;
      const logs = await getJson(context, command, path);
      if (options.json) return printJson(context.io, logs);
      context.io.stderr.write(`${logs.lines.length ? '' : 'No log lines. '}Source: ${logs.source}\n`);
      printLines(context.io, formatLogLines(logs.lines));
    });
}

/** `time  text`, or the text alone for lines without a time. */
export function formatLogLines(lines: DeploymentLogsView['lines']): string[] {
  return lines.map((line) => (line.time ? `${line.time}  ${line.text}` : line.text));
}

function parseEnvironment(value: string): EnvironmentName {
  const parsed = EnvironmentName.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError('expected dev, staging or prod.');
  return parsed.data;
}

function parseTail(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < 1 || number > MAX_LOG_TAIL) throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_LOG_TAIL}.`);
  return number;
}

/** Checked here so a typo is a usage error; sent as typed, the host resolves spans on its clock. */
function parseSinceOption(value: string): string {
  try {
    resolveSince(value, new Date());
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message.replace(/^since: /, '')}.`);
  }
  return value.trim();
}

/**
 * GET through the API with the CLI's settings and error contract. (ApiClient keeps its request
 * helper private; this mirrors it for the one call, until logs join ApiClient.)
 */
async function getJson(context: CommandContext, command: Command, path: string): Promise<DeploymentLogsView> {
  const { baseUrl, token } = resolveApiSettings(context.globals(command), context.io.env, context.io.cwd);
  const url = `${baseUrl}${path}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(60_000) });
    text = await response.text();
  } catch (error) {
    throw new ApiUnreachableError(baseUrl, networkProblem(error));
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const error = ErrorBody.safeParse(json);
    if (error.success) throw new ApiError(response.status, error.data.error.code, error.data.error.message, error.data.error.where);
    throw new ApiError(response.status, 'http_error', `GET ${url} answered ${response.status}`);
  }
  const parsed = DeploymentLogsResponse.safeParse(json);
  if (!parsed.success) throw new CliError(`Unexpected response from GET ${url}: ${parsed.error.issues[0]?.message ?? 'not JSON'}. Is --url pointing at an autopilot host of the same version?`);
  return parsed.data;
}
