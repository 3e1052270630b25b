import type { Command } from 'commander';
import type { AlertView } from '../apiSchemas';
import type { CommandContext } from '../context';
import { renderTable, truncate } from '../format/table';
import { printJson, printLines } from '../io';
import { wholeNumberIn } from '../parsers';

/** Azure Monitor alerts the webhook received, and what the autopilot did about each. */
export function registerAlertsCommand(program: Command, context: CommandContext): void {
  program
    .command('alerts')
    .description('List the Azure Monitor alerts received, newest first, and what was done: a canary rolled back, recorded, or ignored')
    .option('-n, --limit <count>', 'how many alerts (1-1000)', wholeNumberIn(1, 1000), 50)
    .option('--json', 'print only a JSON array of alert records')
    .action(async (options: { limit: number; json?: boolean }, command: Command) => {
      const alerts = await context.api(command).listAlerts(options.limit);
      if (options.json) return printJson(context.io, alerts);
      if (alerts.length === 0) return printLines(context.io, ['No alerts received.']);
      printLines(context.io, formatAlertsTable(alerts));
    });
}

export function formatAlertsTable(alerts: readonly AlertView[]): string[] {
  return renderTable(
    ['received', 'rule', 'condition', 'severity', 'outcome', 'endpoints', 'releases', 'reason'],
    alerts.map((a) => [
      a.receivedAt,
      a.alert.rule,
      a.alert.condition,
      a.alert.severity ?? '',
      a.outcome,
      a.endpoints.join(',') || '-',
      a.releases.join(',') || '-',
      truncate(a.reason ?? '', 80),
    ]),
  );
}
