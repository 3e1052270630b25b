import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pythonHint, pythonInterpreter } from '../python/pythonInterpreter';
import { writePythonShims } from '../python/pythonShim';
import { isSameProcess } from './isLost';
import { ExitMarker } from './jobRecord';
import { readTail } from './logTail';
import { readMetricsFile } from './readMetricsFile';
import { startJobProcess, type JobProcess } from './startJobProcess';
import { readJsonFile } from './writeJsonAtomic';

/** The files through which a job is followed, whichever process started it. */
export interface JobFiles {
  logFile: string;
  metricsFile: string;
  exitFile: string;
  pidFile: string;
  heartbeatFile: string;
}

export function jobFiles(dir: string): JobFiles {
  return {
    logFile: join(dir, 'user_logs', 'std_log.txt'),
    metricsFile: join(dir, 'metrics.jsonl'),
    exitFile: join(dir, 'exit.json'),
    pidFile: join(dir, 'job.pid'),
    heartbeatFile: join(dir, 'heartbeat'),
  };
}

export interface LaunchJobOptions {
  name: string;
  attempt: number;
  /** The substituted command, run by /bin/sh. */
  command: string;
  codeDir: string;
  environmentVariables: Record<string, string>;
  files: JobFiles;
  timeoutSeconds?: number;
  orphanGraceSeconds: number;
  onLine?: (line: string) => void;
}

/** Starts one attempt of a job (see jobWrapper); follow it with followJob. */
export async function launchJob(options: LaunchJobOptions): Promise<JobProcess> {
  const shimDir = join(dirname(options.files.exitFile), '.bin');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.environmentVariables,
    AUTOPILOT_METRICS_FILE: options.files.metricsFile,
    AZUREML_RUN_ID: options.name,
    // `node` in a job command must be this Node, and `python` the user's AUTOPILOT_PYTHON, whatever PATH says.
    PATH: [shimDir, dirname(process.execPath), process.env['PATH']].filter(Boolean).join(':'),
  };
  await writePythonShims(shimDir);
  await writeFile(options.files.heartbeatFile, '');
  const { files } = options;
  return startJobProcess(
    {
      command: options.command,
      cwd: options.codeDir,
      logFile: files.logFile,
      exitFile: files.exitFile,
      pidFile: files.pidFile,
      heartbeatFile: files.heartbeatFile,
      attempt: options.attempt,
      ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
      orphanGraceSeconds: options.orphanGraceSeconds,
      killGraceMs: 3000,
    },
    { env, ...(options.onLine ? { onLine: options.onLine } : {}) },
  );
}

export interface FollowJobOptions {
  files: JobFiles;
  attempt: number;
  /** The wrapper process, as recorded. */
  pid: number;
  startTime: string | undefined;
  /** When this process started the wrapper: its exit, so the end is seen at once. */
  exited?: Promise<void>;
  /** How often the heartbeat file is touched (the wrapper stops a job without one). */
  heartbeatMs: number;
  /** How often a job started by another process is checked. @default 250 */
  pollMs?: number;
}

/**
 * Waits for the end of a job attempt: its exit marker, or its wrapper gone without one
 * (killed: undefined). Touches the heartbeat meanwhile, so the wrapper knows someone follows.
 */
export async function followJob(options: FollowJobOptions): Promise<ExitMarker | undefined> {
  let lastBeat = 0;
  let exited = false;
  void options.exited?.then(() => (exited = true));
  for (;;) {
    const marker = await readExitMarker(options.files, options.attempt);
    if (marker) return marker;
    if (exited || !isSameProcess(options.pid, options.startTime)) return readExitMarker(options.files, options.attempt);
    if (Date.now() - lastBeat >= options.heartbeatMs) {
      await writeFile(options.files.heartbeatFile, '');
      lastBeat = Date.now();
    }
    const tick = new Promise<void>((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    await Promise.race(options.exited ? [tick, options.exited] : [tick]);
  }
}

export async function readExitMarker(files: JobFiles, attempt: number): Promise<ExitMarker | undefined> {
  const marker = await readJsonFile(ExitMarker, files.exitFile);
  return marker?.attempt === attempt ? marker : undefined;
}

/** The command's process group as the wrapper recorded it, if it is still alive. */
export async function liveJobGroup(files: JobFiles): Promise<number | undefined> {
  const text = await readFile(files.pidFile, 'utf8').catch(() => '');
  const [pgid, startTime] = text.trim().split(' ');
  if (!pgid) return undefined;
  return isSameProcess(Number(pgid), startTime || undefined) ? Number(pgid) : undefined;
}

export interface JobOutcome {
  metrics: Record<string, number>;
  /** The last lines of the log, for error messages. */
  tail: string;
}

/** What a finished attempt reported: its metrics (bad lines noted in the log) and log tail. */
export async function collectOutcome(files: JobFiles): Promise<JobOutcome> {
  const tail = (await readTail(files.logFile, 16 * 1024)).trimEnd().split('\n').slice(-20).join('\n');
  const { metrics, problems } = await readMetricsFile(files.metricsFile);
  if (problems.length > 0) await appendFile(files.logFile, problems.map((p) => `[autopilot] ${p}\n`).join(''));
  return { metrics, tail };
}

/** How an attempt that ran to its end (not stopped, not abandoned) is recorded. */
export function judgeExit(
  marker: ExitMarker,
  tail: string,
  timeoutSeconds: number | undefined,
): { status: 'completed' | 'failed'; error?: string } {
  if (marker.reason === 'timeout') return { status: 'failed', error: `timed out after ${timeoutSeconds} s\n${tail}` };
  if (marker.reason === 'spawn-error') return { status: 'failed', error: `could not start the command\n${tail}` };
  if (marker.exitCode === 0) return { status: 'completed' };
  const why = marker.exitCode === null ? `killed by ${marker.signal ?? 'a signal'}` : `exit code ${marker.exitCode}`;
  const hint = pythonHint(tail, pythonInterpreter());
  return { status: 'failed', error: [why, tail, hint].filter(Boolean).join('\n') };
}
