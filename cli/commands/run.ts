import type { Command } from 'commander';
import { isTerminal } from '../../shared/release/types';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { printJson, printLines, withoutStdout } from '../io';
import { parseSeconds } from '../parsers';
import { watchReleases } from '../watchReleases';

interface RunOptions {
  blob?: string;
  wait?: boolean;
  json?: boolean;
  interval: number;
}

export function registerRunCommand(program: Command, context: CommandContext): void {
  program
    .command('run')
    .description('Start a release of a pipeline now (a manual retrain), on its newest data or on --blob')
    .argument('<pipeline>', 'pipeline name from autopilot.yaml (see `autopilot status` or GET /api/health)')
    .option('--blob <name>', 'train on this blob of the pipeline instead of the newest one')
    .option('--wait', 'follow the release until it ends; exit 1 unless it succeeds')
    .option('--json', 'print only the JSON of the release')
    .option('--interval <seconds>', 'refresh interval with --wait', parseSeconds, 1)
    .action(async (pipeline: string, options: RunOptions, command: Command) => {
      const api = context.api(command);
      let release = await api.startRelease({ pipeline, ...(options.blob ? { blob: options.blob } : {}) });
      if (!options.json) printLines(context.io, [`Started release ${release.id} of pipeline ${pipeline}.`]);
      if (options.wait && !isTerminal(release.status)) {
        const id = release.id;
        const io = options.json ? withoutStdout(context.io) : context.io;
        const shown = await watchReleases(io, async () => [(await api.getRelease(id)).release], {
          intervalMs: options.interval * 1000,
          emptyMessage: '',
        });
        release = shown[0] ?? release;
      } else if (!options.json) {
        printLines(context.io, ['Follow it with `autopilot status`.']);
      }
      if (options.json) printJson(context.io, release);
      if (options.wait && release.status !== 'succeeded') {
        throw new CliError(`Release ${release.id} ended ${release.status}${release.reason ? `: ${release.reason}` : ''}`);
      }
    });
}
