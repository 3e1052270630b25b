import { InvalidArgumentError, type Command } from 'commander';
import { reportMarkdown } from '../../shared/release/reportMarkdown';
import type { CommandContext } from '../context';
import { printJson } from '../io';

/** A release's decision record, for a reviewer or an audit folder. */
export function registerReportCommand(program: Command, context: CommandContext): void {
  program
    .command('report')
    .description(
      "Print a release's decision record: data lineage, metrics, the gate's verdict, staging, canary, approvals and every action",
    )
    .argument('<release>', 'release id (see `autopilot releases`)')
    .option('--format <format>', 'md (default) or json', parseFormat, 'md')
    .option('--json', 'the same as --format json')
    .action(async (id: string, options: { format: 'md' | 'json'; json?: boolean }, command: Command) => {
      const report = await context.api(command).getReleaseReport(id);
      if (options.json || options.format === 'json') return printJson(context.io, { report });
      context.io.stdout.write(reportMarkdown(report));
    });
}

function parseFormat(value: string): 'md' | 'json' {
  if (value !== 'md' && value !== 'json') throw new InvalidArgumentError('expected md or json.');
  return value;
}
