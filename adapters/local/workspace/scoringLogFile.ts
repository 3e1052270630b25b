import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Writable } from 'node:stream';
import type * as Rfs from 'rotating-file-stream' with { 'resolution-mode': 'import' };
import type { DeploymentLogLine } from '../../../shared/ports';
import { windowLogLines } from '../../../shared/endpoints/deploymentLogs';
import { readTail } from './logTail';

/** Bytes read per requested line: generous, so long lines (stack traces, JSON) rarely cut the tail short. */
const BYTES_PER_LINE = 2048;
const MAX_READ_BYTES = 8 * 1024 * 1024;
// The package's types are declared as ESM; `require` loads its CommonJS build.
const { createStream } = require('rotating-file-stream') as typeof Rfs;

/** Past this size a deployment log moves to `<file>.1` (replacing the older one): a long-running stack keeps at most twice this per deployment. */
const SCORING_LOG_ROTATE_BYTES = 10 * 1024 * 1024;
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
  const bytes = Math.min(MAX_READ_BYTES, options.tail * BYTES_PER_LINE);
  const recent = await readTail(file, bytes);
  // Just after a rotation the current file is short: the rest of the tail is in `<file>.1`.
  // Only then: when the current file was not read whole, `.1` would be spliced before a gap.
  const size = await sizeOf(file);
  const older = size < bytes && lineCount(recent) < options.tail ? await readTail(`${file}.1`, bytes - size) : '';
  const text = older + recent;
  const lines: DeploymentLogLine[] = text
    .split('\n')
    .filter((line, i, all) => i < all.length - 1 || line !== '')
    .map((line) => {
      const match = STAMPED.exec(line);
      return match ? { time: match[1]!, text: match[2]! } : { text: line };
    });
  return windowLogLines(lines, options);
}

/**
 * Appends to a deployment log, rotating it by size (classic `<file>.1` naming, one old file
 * kept) so a scoring script that prints per request cannot fill the disk.
 */
export function openScoringLog(file: string, maxBytes = SCORING_LOG_ROTATE_BYTES): Writable {
  return createStream(basename(file), { path: dirname(file), size: `${maxBytes}B`, rotate: 1 });
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

function lineCount(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
