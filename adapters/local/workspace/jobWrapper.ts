/**
 * Entry of the process that runs one job's command for the JobRunner (argv[2]: a
 * WrapperConfig as JSON). It is detached from the host on purpose: when the host dies
 * the job goes on, and the next host re-attaches to it through the files written here:
 * the log, `job.pid` (the command's process group) and `exit.json` (how it ended).
 * It bounds a job nobody follows: the timeout, and the orphan grace (no heartbeat).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { processStartTime } from './isLost';
import type { ExitMarker } from './jobRecord';

export interface WrapperConfig {
  command: string;
  cwd: string;
  logFile: string;
  /** Where the outcome is written (ExitMarker), then renamed into place. */
  exitFile: string;
  /** `<pgid> <start time>` of the command's process group. */
  pidFile: string;
  /** The runner following the job touches it; a stale one means nobody will read the outcome. */
  heartbeatFile: string;
  attempt: number;
  timeoutSeconds?: number;
  orphanGraceSeconds: number;
  /** Between SIGTERM and SIGKILL of the group. */
  killGraceMs: number;
}

function main(config: WrapperConfig): void {
  const log = openSync(config.logFile, 'a');
  const startedAt = Date.now();
  // The host reads our output for progress; once it is gone the log alone gets it.
  const forwarding = { stdout: true, stderr: true };
  process.stdout.on('error', () => (forwarding.stdout = false));
  process.stderr.on('error', () => (forwarding.stderr = false));

  // Its own group, so a stop reaches whatever the shell started (node, python...).
  const child = spawn('/bin/sh', ['-c', config.command], {
    cwd: config.cwd,
    env: process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let reason: ExitMarker['reason'] = 'exited';
  let killTimer: NodeJS.Timeout | undefined;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const stop = (why: ExitMarker['reason']) => {
    if (reason === 'exited') reason = why;
    signalGroup('SIGTERM');
    killTimer ??= setTimeout(() => signalGroup('SIGKILL'), config.killGraceMs);
  };
  const finish = (exitCode: number | null, signal: string | null) => {
    const marker: ExitMarker = { attempt: config.attempt, exitCode, signal, reason, endedAt: new Date().toISOString() };
    writeFileSync(`${config.exitFile}.tmp`, JSON.stringify(marker) + '\n');
    renameSync(`${config.exitFile}.tmp`, config.exitFile);
    closeSync(log);
    process.exit(0);
  };

  child.once('spawn', () => writeFileSync(config.pidFile, `${child.pid} ${processStartTime(child.pid!) ?? ''}\n`));
  child.once('error', (error) => {
    writeSync(log, `[autopilot] could not start /bin/sh: ${error.message}\n`);
    reason = 'spawn-error';
    finish(null, null);
  });
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].on('data', (chunk: Buffer) => {
      writeSync(log, chunk);
      if (forwarding[stream]) process[stream].write(chunk);
    });
  }
  child.once('exit', () => signalGroup('SIGKILL')); // leftovers of the group would hold the pipes open
  child.once('close', (exitCode, signal) => {
    clearTimeout(killTimer);
    finish(exitCode, signal);
  });

  process.on('SIGTERM', () => stop('stopped'));
  process.on('SIGINT', () => stop('stopped'));
  process.on('SIGHUP', () => {}); // a closed terminal is no reason to stop a job
  if (config.timeoutSeconds !== undefined) setTimeout(() => stop('timeout'), config.timeoutSeconds * 1000);
  const graceMs = config.orphanGraceSeconds * 1000;
  setInterval(
    () => {
      let lastBeat = startedAt;
      try {
        lastBeat = statSync(config.heartbeatFile).mtimeMs;
      } catch {
        // no heartbeat file: counted from our start
      }
      if (Date.now() - lastBeat > graceMs) stop('abandoned');
    },
    Math.min(5000, Math.max(100, graceMs / 4)),
  ).unref();
}

main(JSON.parse(process.argv[2] ?? '{}') as WrapperConfig);
