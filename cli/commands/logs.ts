import { InvalidArgumentError, type Command } from 'commander';
import { EnvironmentName, endpointOwner } from '../../shared/config/schema';
import { MAX_LOG_TAIL } from '../../shared/endpoints/deploymentLogs';
import { parseTimeOption } from '../parsers';
import type { DeploymentLogsView } from '../apiSchemas';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { printJson, printLines } from '../io';

interface LogsOptions {
  environment?: EnvironmentName;
  tail?: number;
  since?: string;
  json?: boolean;
}

/** What a deployment's scoring server printed: on stdout the lines, on stderr where they came from. */
export function registerLogsCommand(program: Command, context: CommandContext): void {
  program
    .command('logs')
    .description("Show what a deployment's scoring server printed (e.g. why a canary was rolled back)")
    .argument('<endpoint>', 'endpoint name, e.g. default-prod')
    .argument('<deployment>', 'deployment name, e.g. green')
    .option('--environment <env>', 'dev, staging or prod (default: the one the endpoint name ends with)', parseEnvironment)
    .option('--tail <n>', `the newest n lines, at most ${MAX_LOG_TAIL} (default 100)`, parseTail)
    .option('--since <time>', 'only lines since an ISO time or a span back from now: 90s, 15m, 1h, 2d', (value: string) =>
      parseTimeOption(value),
    )
    .option('--json', 'print only JSON: {endpoint, deployment, environment, source, lines: [{time?, text}]}')
    .action(async (endpoint: string, deployment: string, options: LogsOptions, command: Command) => {
      const environment = options.environment ?? endpointOwner(endpoint)?.environment;
      if (!environment)
        throw new UsageError(`cannot tell the environment of '${endpoint}' from its name; pass --environment dev|staging|prod`);
      const logs = await context.api(command).deploymentLogs(endpoint, deployment, {
        environment,
        ...(options.tail !== undefined ? { tail: options.tail } : {}),
        ...(options.since ? { since: options.since } : {}),
      });
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
  if (!/^\d+$/.test(value.trim()) || number < 1 || number > MAX_LOG_TAIL)
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_LOG_TAIL}.`);
  return number;
}
