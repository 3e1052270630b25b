/**
 * Section 7's timed monitor runs: one POST /api/monitors/drift/run with the host's RSS sampled,
 * and the scipy side on a window's binary columns, shared by the cold and the warm run.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { readFileSync, writeFileSync, mkdirSync, symlinkSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildStack } from '../devhost/childStack';
import type { MonitorRun } from '../shared/monitoring/runMonitor';
import { FEATURES, NUMERIC } from './driftData';

/** The resident set of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? Number(kb) / 1024 : NaN;
}

export interface TimedRun {
  seconds: number;
  rssBeforeMb: number;
  /** The largest RSS sampled every 20 ms during the run. */
  rssPeakMb: number;
  run: MonitorRun;
}

/** POST /api/monitors/drift/run, request to answer, with the host's RSS before and at its peak. */
export async function timedMonitorRun(stack: ChildStack): Promise<TimedRun> {
  const rssBefore = rssMb(stack.pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(stack.pid))), 20);
  const started = performance.now();
  const response = await fetch(`${stack.api}/monitors/drift/run`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.token()}` },
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, rssMb(stack.pid));
  if (!response.ok) throw new Error(`POST /api/monitors/drift/run answered ${response.status}: ${await response.text()}`);
  const { run } = (await response.json()) as { run: MonitorRun };
  return { seconds, rssBeforeMb: rssBefore, rssPeakMb: rssPeak, run };
}

/** Deletes the stored per-blob summaries, so the next run reads every blob (a cold run). */
export async function deleteSummaries(artifacts: ContainerClient): Promise<number> {
  let deleted = 0;
  for await (const blob of artifacts.listBlobsFlat({ prefix: 'drift-summaries/' })) {
    await artifacts.deleteBlob(blob.name);
    deleted++;
  }
  return deleted;
}

/**
 * The binary columns of the slid window in `to`: the window's rows after the first `dropRows`
 * (the blob that left it), then the new blob's rows from `added`; the baseline's columns linked.
 */
export function slideWindowColumns(from: string, added: string, to: string, dropRows: number): void {
  mkdirSync(to, { recursive: true });
  FEATURES.forEach((_, j) => {
    const width = j < NUMERIC ? 8 : 4;
    symlinkSync(join(from, `baseline_${j}.bin`), join(to, `baseline_${j}.bin`));
    const fd = openSync(join(to, `window_${j}.bin`), 'w');
    try {
      writeSync(fd, readFileSync(join(from, `window_${j}.bin`)).subarray(dropRows * width));
      writeSync(fd, readFileSync(join(added, `window_${j}.bin`)));
    } finally {
      closeSync(fd);
    }
  });
}

/** Same statistics from both runs: every feature's metrics and verdicts. */
export function sameReport(a: MonitorRun, b: MonitorRun): boolean {
  return a.rows === b.rows && JSON.stringify(a.report?.features) === JSON.stringify(b.report?.features);
}

export function writeScipyInputs(dir: string, meta: object, script: string): void {
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
  writeFileSync(join(dir, 'stats.py'), script);
}
