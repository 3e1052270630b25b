import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { JobRecord } from './jobRecord';

/** Runners alive in this process; a job owned by none of them and by no live process is lost. */
const liveInstances = new Set<string>();

export function newRunnerInstance(): string {
  const id = randomUUID();
  liveInstances.add(id);
  return id;
}

export function endRunnerInstance(id: string): void {
  liveInstances.delete(id);
}

/**
 * A queued or running job whose runner is gone (the host restarted, or its workspace was
 * stopped) will never end by itself: the next runner that reads it takes it over. A runner
 * of another live process (a second host on the same folder) still owns its jobs.
 */
export function isLost(record: JobRecord): boolean {
  if (record.status !== 'queued' && record.status !== 'running') return false;
  if (liveInstances.has(record.instanceId)) return false;
  return record.ownerPid === process.pid || !isSameProcess(record.ownerPid, record.ownerStartTime);
}

/**
 * When the process started, in clock ticks since boot (field 22 of /proc/<pid>/stat);
 * undefined when it is gone, a zombie, or there is no /proc (then pids are trusted as is).
 */
export function processStartTime(pid: number): string | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` still names the process we recorded. A pid is reused once its process
 * is gone (in a restarted container the new host may get the old host's pid), so the
 * start time must match too.
 */
export function isSameProcess(pid: number | undefined, startTime: string | undefined): boolean {
  if (pid === undefined || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = processStartTime(pid);
  if (now === undefined) return !hasProc();
  return startTime === undefined || now === startTime;
}

function hasProc(): boolean {
  return processStartTime(process.pid) !== undefined;
}
