import type { DeploymentLogLine } from '../../../shared/ports';
import { windowLogLines } from '../../../shared/endpoints/deploymentLogs';
import { readTail } from './logTail';

/** Bytes read per requested line: generous, so long lines (stack traces, JSON) rarely cut the tail short. */
const BYTES_PER_LINE = 2048;
const MAX_READ_BYTES = 8 * 1024 * 1024;
const STAMPED = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (.*)$/;

/**
 * One line of a deployment's log file as the scoring server's parent writes it: the time
 * it was read, then the text as printed. The time lets `since` work without trusting the
 * scoring script to print times.
 */
export function stampLogLine(text: string, at: Date = new Date()): string {
  return `${at.toISOString()} ${text}\n`;
}

/**
 * The newest `tail` lines of a deployment log file, at or after `since` (ISO) when given,
 * oldest first. A missing file has no lines; lines written before the time stamps have
 * no `time`.
 */
export async function readScoringLog(file: string, options: { tail: number; since?: string }): Promise<DeploymentLogLine[]> {
  const text = await readTail(file, Math.min(MAX_READ_BYTES, options.tail * BYTES_PER_LINE));
  const lines: DeploymentLogLine[] = text
    .split('\n')
    .filter((line, i, all) => i < all.length - 1 || line !== '')
    .map((line) => {
      const match = STAMPED.exec(line);
      return match ? { time: match[1]!, text: match[2]! } : { text: line };
    });
  return windowLogLines(lines, options);
}
