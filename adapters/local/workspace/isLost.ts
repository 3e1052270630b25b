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
 * stopped without finishing it) will never end by itself. A runner of another live process
 * (a second host on the same folder) still owns its jobs.
 */
export function isLost(record: JobRecord): boolean {
  if (record.status !== 'queued' && record.status !== 'running') return false;
  if (liveInstances.has(record.instanceId)) return false;
  return record.ownerPid === process.pid || !isProcessAlive(record.ownerPid);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A dead process stays a zombie until reaped; containers' init processes may never reap.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
