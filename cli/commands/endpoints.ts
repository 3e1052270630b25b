import type { Command } from 'commander';
import type { EndpointView } from '../apiSchemas';
import type { CommandContext } from '../context';
import { renderTable } from '../format/table';
import { formatTrafficWithMirror } from '../format/traffic';
import { printJson, printLines } from '../io';

export function registerEndpointsCommand(program: Command, context: CommandContext): void {
  program
    .command('endpoints')
    .description('List online endpoints in every environment with their live traffic split')
    .option('--json', 'print only a JSON array of endpoints')
    .action(async (options: { json?: boolean }, command: Command) => {
      const endpoints = await context.api(command).listEndpoints();
      if (options.json) return printJson(context.io, endpoints);
      if (endpoints.length === 0) return printLines(context.io, ['No endpoints yet; the first successful release deploys them.']);
      printLines(context.io, formatEndpointsTable(endpoints));
    });
}

export function formatEndpointsTable(endpoints: readonly EndpointView[]): string[] {
  return renderTable(
    ['name', 'environment', 'scoring URI', 'traffic'],
    endpoints.map((e) => [e.name, e.environment, e.scoringUri, formatTrafficWithMirror(e.traffic, e.mirrorTraffic)]),
  );
}
