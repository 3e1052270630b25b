import type { Command } from 'commander';
import type { ReleaseView } from '../apiSchemas';
import type { CommandContext } from '../context';
import { formatAge } from '../format/duration';
import { formatModel } from '../format/modelRef';
import { statusMark } from '../format/releaseView';
import { renderTable, truncate } from '../format/table';
import { printJson, printLines } from '../io';
import { wholeNumberIn } from '../parsers';
import { warnUnreadable } from './unreadableWarning';

interface ReleasesOptions {
  pipeline?: string;
  status?: string;
  limit: number;
  json?: boolean;
}

export function registerReleasesCommand(program: Command, context: CommandContext): void {
  program
    .command('releases')
    .description('List releases, newest first')
    .option('-p, --pipeline <name>', 'only this pipeline')
    .option('--status <status>', 'only releases with this status (queued, running, succeeded, rejected, failed, ...)')
    .option('-n, --limit <count>', 'how many releases (1-1000)', wholeNumberIn(1, 1000), 20)
    .option('--json', 'print only a JSON array of releases')
    .action(async (options: ReleasesOptions, command: Command) => {
      const { releases, unreadable } = await context.api(command).scanReleases({
        pipeline: options.pipeline,
        status: options.status,
        limit: options.limit,
      });
      warnUnreadable(context.io, unreadable);
      if (options.json) return printJson(context.io, releases);
      if (releases.length === 0) {
        return printLines(context.io, [
          'No releases yet. Upload training data with `autopilot upload <file.csv>` or start one with `autopilot run <pipeline>`.',
        ]);
      }
      printLines(context.io, formatReleasesTable(releases, new Date()));
    });
}

export function formatReleasesTable(releases: readonly ReleaseView[], now: Date): string[] {
  return renderTable(
    ['id', 'pipeline', 'status', 'stage', 'model', 'age', 'reason'],
    releases.map((r) => [
      r.id,
      r.pipeline,
      `${statusMark(r.status)} ${r.status}`,
      r.stage,
      formatModel(r.model),
      formatAge(r.createdAt, now),
      truncate(r.reason ?? '', 80),
    ]),
  );
}
