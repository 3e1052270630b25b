import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { LineTail } from './logTail';

export interface JobProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile: string;
  onLine?: (line: string) => void;
}

export interface JobProcessExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines of output, for error messages. */
  tail: string;
}

export interface JobProcess {
  readonly pid: number;
  readonly exited: Promise<JobProcessExit>;
  /** Stops the whole process group: TERM, then KILL after `graceMs`. */
  kill(graceMs?: number): void;
}

/**
 * Runs `/bin/sh -c command` in its own process group: a timeout or a cancel must stop
 * what the shell started too (node, python...), not only the shell.
 */
export function startJobProcess(command: string, options: JobProcessOptions): JobProcess {
  const child = spawn('/bin/sh', ['-c', command], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const tail = new LineTail(20);
  const pending = { stdout: '', stderr: '' };
  const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    log.write(chunk);
    const lines = (pending[stream] + chunk.toString('utf8')).split('\n');
    pending[stream] = lines.pop() ?? '';
    for (const line of lines) emit(line);
  };
  const emit = (line: string) => {
    tail.push(line);
    options.onLine?.(line);
  };
  child.stdout.on('data', onData('stdout'));
  child.stderr.on('data', onData('stderr'));

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };

  const exited = new Promise<JobProcessExit>((resolve) => {
    child.once('error', (error) => {
      emit(`[autopilot] could not start /bin/sh: ${error.message}`);
      log.end(() => resolve({ exitCode: null, signal: null, tail: tail.toString() }));
    });
    child.once('exit', () => signalGroup('SIGKILL')); // leftovers of the group would hold the pipes open
    child.once('close', (exitCode, signal) => {
      for (const rest of [pending.stdout, pending.stderr]) if (rest) emit(rest);
      log.end(() => resolve({ exitCode, signal, tail: tail.toString() }));
    });
  });

  let killTimer: NodeJS.Timeout | undefined;
  void exited.then(() => clearTimeout(killTimer));
  return {
    pid: child.pid ?? -1,
    exited,
    kill(graceMs = 3000) {
      signalGroup('SIGTERM');
      killTimer ??= setTimeout(() => signalGroup('SIGKILL'), graceMs);
    },
  };
}
