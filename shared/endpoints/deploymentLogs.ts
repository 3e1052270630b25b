import { BadRequestError } from '../errors';
import type { DeploymentLogLine, DeploymentLogsOptions } from '../ports';

/** Lines returned when the caller names no `tail`. */
export const DEFAULT_LOG_TAIL = 100;
/** More lines than this are refused: a scoring server's chatter would swamp the API and the terminal. */
export const MAX_LOG_TAIL = 5000;

const RELATIVE = /^(\d{1,6})([smhd])$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * The options of DeploymentLogSource.deploymentLogs made concrete: `tail` defaulted and bounded,
 * `since` (an ISO time, or a span back from `now` such as `90s`, `15m`, `1h`, `2d`) as an
 * ISO time. Throws BadRequestError naming the option.
 */
export function resolveDeploymentLogsOptions(options: DeploymentLogsOptions, now: Date): { tail: number; since?: string } {
  const tail = options.tail ?? DEFAULT_LOG_TAIL;
  if (!Number.isInteger(tail) || tail < 1 || tail > MAX_LOG_TAIL) {
    throw new BadRequestError(`must be a whole number from 1 to ${MAX_LOG_TAIL}, got ${tail}`, 'tail');
  }
  if (options.since === undefined || options.since === '') return { tail };
  return { tail, since: resolveSince(options.since, now) };
}

/** `since` as an ISO time: ISO times pass (normalised to UTC), `15m`-style spans count back from `now`. */
export function resolveSince(since: string, now: Date): string {
  const relative = RELATIVE.exec(since.trim());
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]).toISOString();
  // Date.parse accepts loose formats ("1 May"); only ISO 8601 dates and times are meant.
  const time = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(since.trim())
    ? Date.parse(since)
    : Number.NaN;
  if (Number.isNaN(time) || !isCalendarDate(since.trim().slice(0, 10))) {
    throw new BadRequestError(
      `'${since}' is neither an ISO time (2025-05-01T10:00:00Z) nor a span back from now (90s, 15m, 1h, 2d)`,
      'since',
    );
  }
  return new Date(time).toISOString();
}

/** V8's Date.parse rolls 2026-02-30 over to March 2; a date that does not exist is a typo, not a time. */
function isCalendarDate(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const parsed = new Date(Date.UTC(year, month - 1, day));
  return parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
}

/** A leading timestamp as servers print them: ISO (`2025-05-01T10:00:00.123Z`) or Python logging's (`2025-05-01 10:00:00,123`). */
const LEADING_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?(?=[\s|\]]|$)/;

/**
 * Splits a log text into lines (CRLF or LF, the trailing empty line dropped). A line that
 * starts with a timestamp gets it as `time` (UTC when the line names no zone); the text
 * stays as printed.
 */
export function splitLogLines(content: string): DeploymentLogLine[] {
  const lines = content.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines.map((text) => {
    const match = LEADING_TIME.exec(text);
    if (!match) return { text };
    const [, date, clock, fraction, zone] = match;
    const ms = fraction ? `.${fraction.slice(0, 3).padEnd(3, '0')}` : '';
    const time = Date.parse(`${date}T${clock}${ms}${zone ?? 'Z'}`);
    return Number.isNaN(time) ? { text } : { time: new Date(time).toISOString(), text };
  });
}

/**
 * Keeps the lines at or after `since`, then the last `tail`. A line without a time (a stack
 * trace under its message) goes with the last timed line before it; lines before any timed
 * line are kept, since nothing says they are old.
 */
export function windowLogLines(lines: readonly DeploymentLogLine[], options: { tail: number; since?: string }): DeploymentLogLine[] {
  let kept = [...lines];
  if (options.since) {
    const since = Date.parse(options.since);
    let keep = true;
    kept = kept.filter((line) => {
      if (line.time !== undefined) keep = Date.parse(line.time) >= since;
      return keep;
    });
  }
  return kept.slice(-options.tail);
}
