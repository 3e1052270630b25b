import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { printJson } from '../io';
import { parseSeconds } from '../parsers';
import { selectReleasesToShow } from '../selectReleases';
import { watchReleases } from '../watchReleases';
import { warnUnreadable } from './unreadableWarning';

interface StatusOptions {
  pipeline?: string;
  once?: boolean;
  json?: boolean;
  interval: number;
}

/** Enough history to find every queued or running release next to the newest ones. */
const STATUS_WINDOW = 50;

export function registerStatusCommand(program: Command, context: CommandContext): void {
  program
    .command('status')
    .alias('watch')
    .summary('Follow the newest release of each pipeline live, stage by stage')
    .description(
      'Show the newest release of each pipeline (and any queued or running) live, stage by stage, until they all end. ' +
        'On a terminal the view refreshes in place; otherwise one line is printed per change.',
    )
    .option('-p, --pipeline <name>', 'only this pipeline')
    .option('--once', 'print the current state once and exit')
    .option('--json', 'print only the JSON array of the releases shown, once')
    .option('--interval <seconds>', 'refresh interval', parseSeconds, 1)
    .action(async (options: StatusOptions, command: Command) => {
      const api = context.api(command);
      const shownBefore = new Set<string>();
      const warned = new Set<string>();
      const load = async () => {
        const { releases, unreadable } = await api.scanReleases({ pipeline: options.pipeline, limit: STATUS_WINDOW });
        warnUnreadable(context.io, unreadable, warned);
        const shown = selectReleasesToShow(releases, shownBefore);
        for (const release of shown) shownBefore.add(release.id);
        return shown;
      };
      if (options.json) return printJson(context.io, await load());
      await watchReleases(context.io, load, {
        once: options.once ?? false,
        intervalMs: options.interval * 1000,
        emptyMessage: `No releases${options.pipeline ? ` for pipeline ${options.pipeline}` : ''} yet. Upload training data with \`autopilot upload <file.csv>\`${options.once ? '.' : '; waiting (Ctrl-C to stop)…'}`,
      });
    });
}
