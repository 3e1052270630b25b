import type { UnreadableView } from '../apiSchemas';
import type { CliIo } from '../io';

/**
 * Tells on stderr about stored release records the API could not read (listed apart, so
 * stdout and `--json` keep their shape), each with the command that repairs it.
 */
export function warnUnreadable(io: CliIo, unreadable: readonly UnreadableView[], alreadyWarned: Set<string> = new Set()): void {
  for (const record of unreadable) {
    if (alreadyWarned.has(record.id)) continue;
    alreadyWarned.add(record.id);
    io.stderr.write(
      `warning: release record ${record.id}${record.pipeline ? ` (pipeline ${record.pipeline})` : ''} cannot be read: ${record.error}; repair it with \`${record.repair}\`\n`,
    );
  }
}
