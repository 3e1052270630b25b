import { STAGES } from '../../shared/release/types';
import type { ReleaseView } from '../apiSchemas';
import { elapsedMs, formatDuration } from './duration';
import { shownStageRecord, STAGE_MARKS, statusMark } from './releaseView';
import { formatModel } from './modelRef';

/**
 * For output that is not a terminal (logs, CI): instead of redrawing, print one line per
 * change of a release's status or a stage's status, each once.
 */
export class TransitionTracker {
  private readonly seen = new Map<string, string>();

  lines(releases: readonly ReleaseView[], now: Date): string[] {
    const time = now.toTimeString().slice(0, 8);
    const lines: string[] = [];
    for (const release of releases) {
      const prefix = `${time} ${release.pipeline} ${release.id}`;
      for (const stage of STAGES) {
        const record = shownStageRecord(release, stage);
        if (!record || record.status === 'pending') continue;
        if (!this.changed(`${release.id}/${stage}`, record.status)) continue;
        const duration = record.status === 'running' ? undefined : elapsedMs(record.startedAt, record.endedAt, now);
        const cells = [prefix, stage, STAGE_MARKS[record.status], record.status];
        if (duration !== undefined) cells.push(formatDuration(duration));
        if (record.detail) cells.push(record.detail);
        lines.push(cells.join(' '));
      }
      if (this.changed(release.id, release.status)) {
        const cells = [prefix, statusMark(release.status), release.status];
        if (release.model) cells.push(`model ${formatModel(release.model)}`);
        if (release.reason) cells.push(`reason: ${release.reason}`);
        lines.push(cells.join(' '));
      }
    }
    return lines;
  }

  private changed(key: string, value: string): boolean {
    if (this.seen.get(key) === value) return false;
    this.seen.set(key, value);
    return true;
  }
}
