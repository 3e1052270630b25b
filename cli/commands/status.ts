import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { untilInterrupted } from '../interrupt';
import { printJson } from '../io';
import { parseSeconds } from '../parsers';
import { selectReleasesToShow } from '../selectReleases';
import { watchReleases } from '../watchReleases';
import { warnUnreadable } from './unreadableWarning';

interface StatusOptions {
  pipeline?: string;
  once?: boolean;
  watch?: boolean;
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
        'On a terminal the view refreshes in place; otherwise one line is printed per change. ' +
        'With --watch it stays live, showing new releases as they start, until Ctrl-C.',
    )
    .option('-p, --pipeline <name>', 'only this pipeline')
    .option('--once', 'print the current state once and exit')
    .option('--watch', 'keep watching after the releases ended, new ones included, until Ctrl-C (exit 0)')
    .option('--json', 'print only the JSON array of the releases shown, once; with --watch one such array per line at each change')
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
      if (options.json && !options.watch) return printJson(context.io, await load());
      if (options.once && options.watch) throw new UsageError('--once and --watch contradict each other; pick one');
      const watch = (until?: AbortSignal) =>
        watchReleases(context.io, load, {
          once: options.once ?? false,
          intervalMs: options.interval * 1000,
          jsonLines: options.json ?? false,
          ...(until ? { until } : {}),
          emptyMessage: `No releases${options.pipeline ? ` for pipeline ${options.pipeline}` : ''} yet. Upload training data with \`autopilot upload <file.csv>\`${options.once ? '.' : '; waiting (Ctrl-C to stop)…'}`,
        });
      if (options.watch) await untilInterrupted(watch);
      else await watch();
    });
}
