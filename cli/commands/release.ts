import type { Command } from 'commander';
import type { ReleaseDetail } from '../apiSchemas';
import type { CommandContext } from '../context';
import { formatAuditTransition } from '../format/auditTransition';
import { formatMetrics, formatModel } from '../format/modelRef';
import { formatReleaseBlock } from '../format/releaseView';
import { renderTable } from '../format/table';
import { printJson, printLines } from '../io';

export function registerReleaseCommand(program: Command, context: CommandContext): void {
  program
    .command('release')
    .description('Show one release: stages, data, model, metrics and its audit log')
    .argument('<id>', 'release id (see `autopilot releases`)')
    .option('--json', 'print only the JSON { release, audit }')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const detail = await context.api(command).getRelease(id);
      if (options.json) return printJson(context.io, detail);
      printLines(context.io, formatReleaseDetail(detail, new Date()));
    });
}

export function formatReleaseDetail({ release, audit }: ReleaseDetail, now: Date): string[] {
  const lines = formatReleaseBlock(release, now);
  const trigger = [release.trigger.kind, release.trigger.by && `by ${release.trigger.by}`, release.trigger.note].filter(Boolean).join(' ');
  lines.push('', `trigger:   ${trigger}`);
  if (release.data)
    lines.push(
      `data:      ${release.data.url} (eTag ${release.data.eTag}${release.data.rows === undefined ? '' : `, ${release.data.rows} rows`})`,
    );
  if (release.job) lines.push(`job:       ${release.job.name} ${release.job.status}`);
  lines.push(`model:     ${formatModel(release.model)}`, `champion:  ${formatModel(release.champion)}`);
  for (const [kind, metrics] of Object.entries(release.metrics)) {
    if (metrics && Object.keys(metrics).length > 0) lines.push(`${`${kind}:`.padEnd(10)} ${formatMetrics(metrics, 8)}`);
  }
  lines.push(`created:   ${release.createdAt}`, `updated:   ${release.updatedAt}`);
  if (release.endedAt) lines.push(`ended:     ${release.endedAt}`);
  lines.push('', 'Audit log:');
  if (audit.length === 0) return [...lines, '  (empty)'];
  const rows = audit.map((entry) => [entry.at, entry.actor, entry.action, formatAuditTransition(entry), entry.why ?? '']);
  return [...lines, ...renderTable(['at', 'actor', 'action', 'transition', 'why'], rows).map((line) => `  ${line}`)];
}
