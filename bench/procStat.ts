import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Read from /proc/<pid>/stat (Linux): the parent's pid and the user + system CPU time so far, in µs. */
export interface ProcStat {
  parent: number;
  cpuMicros: number;
}

/** Throws when the process is gone. */
export function procStat(pid: number): ProcStat {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces; times (14, 15) in clock ticks.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { parent: Number(fields[1]), cpuMicros: ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND };
}

/** User + system CPU time of a process so far, in µs. */
export function cpuMicrosOf(pid: number): number {
  return procStat(pid).cpuMicros;
}

/** Every process living now. */
export function allProcesses(): Map<number, ProcStat> {
  const processes = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      processes.set(Number(entry), procStat(Number(entry)));
    } catch {
      // Gone meanwhile.
    }
  }
  return processes;
}

/** The child of `parentPid` whose command line holds `needle`, if any. */
export function childWithCommand(parentPid: number, needle: string): number | undefined {
  for (const [pid, { parent }] of allProcesses()) {
    try {
      if (parent === parentPid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) return pid;
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

/** CPU time, in µs, of a process and all its descendants living now. */
export function treeCpuMicros(rootPid: number): number {
  const processes = allProcesses();
  let total = 0;
  for (const [pid, { cpuMicros }] of processes) {
    for (let ancestor: number | undefined = pid; ancestor !== undefined && ancestor > 0; ancestor = processes.get(ancestor)?.parent) {
      if (ancestor !== rootPid) continue;
      total += cpuMicros;
      break;
    }
  }
  return total;
}
