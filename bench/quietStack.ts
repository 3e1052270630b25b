import { setTimeout as sleep } from 'node:timers/promises';
import { treeCpuMicros } from './procStat';

export interface QuietWait {
  quiet: boolean;
  waitedMs: number;
}

/**
 * Waits until the process `rootPid` and its descendants (the stack, its router, scoring servers
 * and jobs) spent under `maxShare` of one core over each of two `intervalMs` in a row, or `timeoutMs`
 * passed. A release goes on after its status says succeeded (servers of the old version stopped,
 * new ones warming, records written) for about ten seconds here: measured then, those seconds
 * weigh on whatever is measured first.
 */
export async function waitForQuietStack(
  rootPid: number,
  { maxShare = 0.05, intervalMs = 500, timeoutMs = 30_000 } = {},
): Promise<QuietWait> {
  const started = performance.now();
  let quietIntervals = 0;
  let before = treeCpuMicros(rootPid);
  while (performance.now() - started < timeoutMs) {
    await sleep(intervalMs);
    const now = treeCpuMicros(rootPid);
    quietIntervals = now - before < maxShare * intervalMs * 1000 ? quietIntervals + 1 : 0;
    before = now;
    if (quietIntervals >= 2) return { quiet: true, waitedMs: performance.now() - started };
  }
  return { quiet: false, waitedMs: performance.now() - started };
}
