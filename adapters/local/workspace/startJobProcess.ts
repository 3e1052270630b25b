import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { processStartTime } from './isLost';
import type { WrapperConfig } from './jobWrapper';

export interface JobProcessOptions {
  env: NodeJS.ProcessEnv;
  onLine?: (line: string) => void;
}

export interface JobProcess {
  /** The wrapper's pid and start time (see isSameProcess). */
  readonly pid: number;
  readonly startTime: string | undefined;
  /** Resolves when the wrapper has exited (its exit marker is written by then, unless it was killed). */
  readonly exited: Promise<void>;
  /** Asks the wrapper to stop the job's process group: TERM, then KILL after its grace. */
  stop(): void;
}

// In the source tree (tests, `npm start`) the wrapper is TypeScript, run through tsx.
const WRAPPER_TS = join(__dirname, 'jobWrapper.ts');
const WRAPPER_ARGS = existsSync(WRAPPER_TS)
  ? ['--import', pathToFileURL(require.resolve('tsx')).href, WRAPPER_TS]
  : [join(__dirname, 'jobWrapper.js')];

/**
 * Starts a job's wrapper process, detached from the host (its own session): the job must
 * survive a host that dies, to be re-attached by the next one. The wrapper writes the
 * log and the exit marker itself; its output comes here too, for progress displays.
 */
export function startJobProcess(config: WrapperConfig, options: JobProcessOptions): JobProcess {
  const child = spawn(process.execPath, [...WRAPPER_ARGS, JSON.stringify(config)], {
    cwd: config.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pending = { stdout: '', stderr: '' };
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].on('data', (chunk: Buffer) => {
      const lines = (pending[stream] + chunk.toString('utf8')).split('\n');
      pending[stream] = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line);
    });
  }
  const exited = new Promise<void>((resolve) => {
    child.once('error', () => resolve());
    child.once('close', () => {
      for (const rest of [pending.stdout, pending.stderr]) if (rest) options.onLine?.(rest);
      resolve();
    });
  });
  const pid = child.pid ?? -1;
  return {
    pid,
    startTime: pid > 0 ? processStartTime(pid) : undefined,
    exited,
    stop() {
      signalProcess(pid, 'SIGTERM');
    },
  };
}

export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    if (pid > 0) process.kill(pid, signal);
  } catch {
    // already gone
  }
}
