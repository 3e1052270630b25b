import type { Command } from 'commander';
import type { MonitorRunView } from '../apiSchemas';
import type { CommandContext } from '../context';
import { renderTable, truncate } from '../format/table';
import { printJson, printLines } from '../io';
import { wholeNumberIn } from '../parsers';

/** `monitors list <pipeline>` and `monitors run <pipeline>`: drift, data quality and model quality of prod. */
export function registerMonitorsCommand(program: Command, context: CommandContext): void {
  const monitors = program
    .command('monitors')
    .description("List a pipeline's monitor runs, or run its monitor now (drift, data quality and model quality of the prod endpoint)");
  monitors
    .command('list')
    .description('Recent monitor runs of a pipeline, newest first: time, trigger, outcome, rows, reasons and any retraining started')
    .argument('<pipeline>', 'pipeline name from autopilot.yaml')
    .option('-n, --limit <count>', 'how many runs (1-200)', wholeNumberIn(1, 200), 20)
    .option('--json', 'print only a JSON array of monitor runs')
    .action(async (pipeline: string, options: { limit: number; json?: boolean }, command: Command) => {
      const runs = await context.api(command).listMonitorRuns(pipeline, options.limit);
      if (options.json) return printJson(context.io, runs);
      if (runs.length === 0)
        return printLines(context.io, [`No monitor runs of ${pipeline} yet; run one with \`autopilot monitors run ${pipeline}\`.`]);
      printLines(context.io, formatMonitorRunsTable(runs));
    });
  monitors
    .command('run')
    .description('Run the monitor of a pipeline now; persistent drift may start a retraining release (needs the right to start releases)')
    .argument('<pipeline>', 'pipeline name from autopilot.yaml')
    .option('--json', 'print only the JSON of the run')
    .action(async (pipeline: string, options: { json?: boolean }, command: Command) => {
      const run = await context.api(command).runMonitor(pipeline);
      if (options.json) return printJson(context.io, run);
      printLines(context.io, formatMonitorRun(run));
    });
}

export function formatMonitorRunsTable(runs: readonly MonitorRunView[]): string[] {
  return renderTable(
    ['time', 'trigger', 'outcome', 'rows', 'retrain', 'reasons'],
    runs.map((run) => [run.at, run.trigger, run.outcome, String(run.rows), formatRetrain(run), truncate(run.reasons.join('; '), 100)]),
  );
}

/** The outcome line, then each reason on its own line. */
export function formatMonitorRun(run: MonitorRunView): string[] {
  const retrain = formatRetrain(run);
  const lines = [
    `${run.pipeline} monitor ${run.id}: ${run.outcome} on ${run.rows} rows of ${run.endpoint}${retrain ? `; retrain: ${retrain}` : ''}`,
  ];
  for (const reason of run.reasons) lines.push(`  - ${reason}`);
  return lines;
}

function formatRetrain(run: MonitorRunView): string {
  if (!run.retrain) return '';
  return 'releaseId' in run.retrain ? `release ${run.retrain.releaseId}` : `skipped (${run.retrain.skipped})`;
}
