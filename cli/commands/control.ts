import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { printJson, printLines } from '../io';

interface ControlOptions {
  reason?: string;
  json?: boolean;
}

const RELEASE_ACTIONS = [
  ['approve', 'Approve a release waiting at the approval gate for prod (ML engineer, prod)'],
  ['promote', 'Skip the remaining canary steps: the candidate takes all prod traffic (ML engineer, prod)'],
  ['cancel', 'Cancel a release; a canary gives its traffic back to stable first'],
] as const;

/** approve / promote / cancel / repair <release> and rollback <pipeline>: every action is audited on the release. */
export function registerControlCommands(program: Command, context: CommandContext): void {
  for (const [action, description] of RELEASE_ACTIONS) {
    program
      .command(action)
      .description(description)
      .argument('<release>', 'release id (see `autopilot releases`)')
      .option('--reason <text>', 'why, recorded in the audit log')
      .option('--json', 'print only the JSON of the release')
      .action(async (id: string, options: ControlOptions, command: Command) => {
        const release = await context.api(command).actOnRelease(id, action, options.reason);
        if (options.json) printJson(context.io, release);
        else
          printLines(context.io, [
            `${action}: release ${release.id} is ${release.status} at ${release.stage}${release.reason ? ` (${release.reason})` : ''}`,
          ]);
      });
  }
  program
    .command('repair')
    .description(
      'End a release whose stored record no longer parses (listed under "unreadable"): it becomes failed, keeping what parses, and frees its pipeline (ML engineer)',
    )
    .argument('<release>', 'release id, as the API or the host log names the unreadable record')
    .option('--json', 'print only the JSON of the repaired release')
    .action(async (id: string, options: ControlOptions, command: Command) => {
      const release = await context.api(command).actOnRelease(id, 'repair');
      if (options.json) printJson(context.io, release);
      else
        printLines(context.io, [
          `repair: release ${release.id} is ${release.status} at ${release.stage} (${release.reason ?? 'no reason recorded'})`,
        ]);
    });
  program
    .command('rollback')
    .description(
      'Roll prod back: an active canary returns its traffic to stable, or else the previous deployment kept warm takes 100% again',
    )
    .argument('<pipeline>', 'pipeline name from autopilot.yaml')
    .option('--reason <text>', 'why, recorded in the audit log')
    .option('--json', 'print only JSON')
    .action(async (pipeline: string, options: ControlOptions, command: Command) => {
      const result = await context.api(command).rollbackPipeline(pipeline, options.reason);
      if (options.json) printJson(context.io, result);
      else
        printLines(context.io, [
          `Rolled back ${result.endpoint}: ${result.from} -> ${result.to}${result.releaseId ? ` (release ${result.releaseId})` : ''}`,
        ]);
    });
}
