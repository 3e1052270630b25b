import { appendFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readMetricsFile } from './readMetricsFile';
import { startJobProcess, type JobProcess } from './startJobProcess';

export interface ExecuteJobOptions {
  name: string;
  /** The substituted command, run by /bin/sh. */
  command: string;
  codeDir: string;
  environmentVariables: Record<string, string>;
  logFile: string;
  metricsFile: string;
  timeoutSeconds?: number;
  onLine?: (line: string) => void;
  /** Called once the process exists, so the caller can record it and kill it. */
  onSpawn: (process: JobProcess, startedAt: Date) => Promise<void>;
}

export interface JobOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Last lines of the log, for the error message. */
  tail: string;
  metrics: Record<string, number>;
  durationMs: number;
}

/** Runs one job's command to its end (or its timeout) and collects what it reported. */
export async function executeJob(options: ExecuteJobOptions): Promise<JobOutcome> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.environmentVariables,
    AUTOPILOT_METRICS_FILE: options.metricsFile,
    AZUREML_RUN_ID: options.name,
    // `node` in a job command must be this Node, whatever the user's PATH says.
    PATH: [dirname(process.execPath), process.env['PATH']].filter(Boolean).join(':'),
  };
  const startedAt = new Date();
  const child = startJobProcess(options.command, {
    cwd: options.codeDir,
    env,
    logFile: options.logFile,
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  await options.onSpawn(child, startedAt);

  let timedOut = false;
  const timer =
    options.timeoutSeconds === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill();
        }, options.timeoutSeconds * 1000);
  const exit = await child.exited;
  clearTimeout(timer);

  const { metrics, problems } = await readMetricsFile(options.metricsFile);
  if (problems.length > 0) await appendFile(options.logFile, problems.map((p) => `[autopilot] ${p}\n`).join(''));
  return { ...exit, timedOut, metrics, durationMs: Date.now() - startedAt.getTime() };
}
