import type { ReleaseView } from './apiSchemas';
import { ApiUnreachableError, CliError } from './errors';
import { formatReleaseBlock } from './format/releaseView';
import { TransitionTracker } from './format/transitions';
import type { CliIo } from './io';
import { allTerminal } from './selectReleases';

export interface WatchOptions {
  /** Print one snapshot and return. @default false */
  once?: boolean;
  /** Pause between polls. @default 1000 */
  intervalMs?: number;
  /** Shown while there is nothing to show. */
  emptyMessage: string;
  /** Give up (CliError with this message) when nothing appeared for this long. @default wait forever */
  appearTimeout?: { ms: number; message: string };
  /** Consecutive failed polls tolerated (a host restarting) before giving up. @default 10 */
  maxFailures?: number;
  /** Keep watching after every release ended, until this aborts (Ctrl-C). @default stop when all ended */
  until?: AbortSignal;
  /** Print each changed set of releases as one line of JSON instead of text. @default false */
  jsonLines?: boolean;
  now?: () => Date;
}

/**
 * Polls `load` and shows the releases until all of them are terminal. On a terminal the
 * frame is redrawn in place; elsewhere only transitions are printed, one line each.
 * Returns the releases as last seen.
 */
export async function watchReleases(io: CliIo, load: () => Promise<ReleaseView[]>, options: WatchOptions): Promise<ReleaseView[]> {
  const now = options.now ?? (() => new Date());
  const interval = options.intervalMs ?? 1000;
  const tty = io.stdout.isTTY === true;
  const tracker = new TransitionTracker();
  const started = Date.now();
  let drawnLines = 0;
  let failures = 0;
  let printedEmpty = false;
  let loadedOnce = false;
  let releases: ReleaseView[] = [];
  let lastJson = '';

  for (;;) {
    let problem = '';
    try {
      releases = await load();
      if (options.until?.aborted) return releases;
      loadedOnce = true;
      failures = 0;
    } catch (error) {
      // The first poll must work; later ones may hit a host that is restarting.
      if (!(error instanceof ApiUnreachableError) || options.once || !loadedOnce || ++failures > (options.maxFailures ?? 10)) throw error;
      problem = `(API unreachable, retrying: ${error.message.split('. ')[0]})`;
    }
    const frame =
      releases.length === 0 ? [options.emptyMessage] : releases.flatMap((r, i) => [...(i ? [''] : []), ...formatReleaseBlock(r, now())]);
    if (problem) frame.push(problem);

    if (options.once) {
      io.stdout.write(`${frame.join('\n')}\n`);
      return releases;
    }
    if (options.jsonLines) {
      const json = JSON.stringify(releases);
      if (json !== lastJson) io.stdout.write(`${json}\n`);
      lastJson = json;
    } else if (tty) {
      // A pty may report 0 columns: treat it as unknown.
      const width = Math.max(20, (io.stdout.columns || 120) - 1);
      const clipped = frame.map((line) => ([...line].length > width ? [...line].slice(0, width).join('') : line));
      io.stdout.write(`${drawnLines > 0 ? `\x1b[${drawnLines}F\x1b[J` : ''}${clipped.join('\n')}\n`);
      drawnLines = clipped.length;
    } else if (releases.length === 0) {
      if (!printedEmpty) io.stdout.write(`${options.emptyMessage}\n`);
      printedEmpty = true;
    } else {
      const lines = tracker.lines(releases, now());
      if (lines.length > 0) io.stdout.write(`${lines.join('\n')}\n`);
    }

    if (!options.until && allTerminal(releases)) return releases;
    if (releases.length === 0 && options.appearTimeout && Date.now() - started > options.appearTimeout.ms) {
      throw new CliError(options.appearTimeout.message);
    }
    await pause(interval, options.until);
    if (options.until?.aborted) return releases;
  }
}

/** Waits `ms`, or less when `signal` aborts first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
