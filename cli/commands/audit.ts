import type { Command } from 'commander';
import type { AuditView } from '../apiSchemas';
import type { CommandContext } from '../context';
import { formatAuditTransition } from '../format/auditTransition';
import { renderTable } from '../format/table';
import { printJson, printLines } from '../io';
import { parseTimeOption, wholeNumberIn } from '../parsers';

interface AuditOptions {
  since?: string;
  until?: string;
  pipeline?: string;
  release?: string;
  limit: number;
  json?: boolean;
}

/** The append-only audit log across releases: every action on a release or a pipeline, who, when and why. */
export function registerAuditCommand(program: Command, context: CommandContext): void {
  program
    .command('audit')
    .description(
      'Export the audit log across releases, oldest first: every action (start, approve, promote, rollback, cancel, repair, monitor run, each stage) with who, when and why',
    )
    .option(
      '--since <time>',
      'from an ISO time or a span back from now: 90s, 15m, 24h, 7d (default: 7d; with --release its whole log)',
      (value: string) => parseTimeOption(value),
    )
    .option('--until <time>', 'up to an ISO time or a span back from now (default: now)', (value: string) => parseTimeOption(value))
    .option('-p, --pipeline <name>', 'only this pipeline')
    .option('--release <id>', "only this release (its own log, which also holds entries older than the log's day index)")
    .option('-n, --limit <count>', 'at most this many entries (1-10000)', wholeNumberIn(1, 10_000), 1000)
    .option(
      '--json',
      'print only JSON: { since, until, entries: [{ at, releaseId?, pipeline?, actor, action, from?, to?, why? }], truncated }',
    )
    .action(async (options: AuditOptions, command: Command) => {
      const log = await context.api(command).listAudit({
        since: options.since,
        until: options.until,
        pipeline: options.pipeline,
        release: options.release,
        limit: options.limit,
      });
      if (log.truncated) {
        context.io.stderr.write(
          `warning: more than ${options.limit} entries match; the newest are left out. Narrow --since/--until or raise --limit.\n`,
        );
      }
      if (options.json) return printJson(context.io, log);
      if (log.entries.length === 0) return printLines(context.io, [`No audit entries from ${log.since} to ${log.until}.`]);
      printLines(context.io, formatAuditTable(log.entries));
    });
}

export function formatAuditTable(entries: AuditView['entries']): string[] {
  return renderTable(
    ['at', 'pipeline', 'release', 'actor', 'action', 'transition', 'why'],
    entries.map((e) => [e.at, e.pipeline ?? '-', e.releaseId ?? '-', e.actor, e.action, formatAuditTransition(e), e.why ?? '']),
  );
}
