import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { basename, dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProbeSettings } from '../../../shared/jobs/deploymentSpec';
import { missingInterpreterMessage, pythonHint, pythonInterpreter } from '../python/pythonInterpreter';
import { LineTail } from '../workspace/logTail';
import { openScoringLog, stampLogLine } from '../workspace/scoringLogFile';

/** How the deployment log records the port a scoring server listens on (the bench reads it). */
export const LISTENING_MARKER = '[autopilot] scoring server listening on port ';

export interface ScoringServerConfig {
  /** Named in errors: "deployment blue of default-dev", "model m:3". */
  label: string;
  /** Absent: the model is an MLflow folder served without code (no-code deployment). */
  scriptPath?: string;
  /** The working directory, as in an AML container: the deployment's code folder. */
  codeDir?: string;
  modelDir: string;
  environmentVariables: Record<string, string>;
  liveness: ProbeSettings;
  /** How long one run() may take before the Python host interrupts it (SCORING_TIMEOUT_MS). @default 1 hour, as Azure ML */
  scoringTimeoutMs?: number;
  /** Output of the server is appended here, a time stamp per line, rotated by size (deploymentLogs reads it). @default kept in memory only */
  logFile?: string;
}

export interface LaunchedServer {
  child: ChildProcess;
  url: string;
  tail: LineTail;
}

/** Why a scoring server did not come up; carries its log tail. */
export class ScoringServerError extends Error {
  constructor(
    message: string,
    /**
     * The signal that killed the server before it became live, when we did not send it
     * (the OOM killer, an operator, a chaos test): the container crashed, the script did
     * not fail, so a new attempt may well succeed, as Azure ML restarts a crashed container.
     */
    readonly killedBy?: NodeJS.Signals,
  ) {
    super(message);
    this.name = 'ScoringServerError';
  }
}

// tsx's loader by file URL, so TypeScript scoring scripts load whatever the cwd is.
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;
const SERVER_ENTRY = existsSync(join(__dirname, 'server.ts')) ? join(__dirname, 'server.ts') : join(__dirname, 'server.js');
const PYTHON_HOST = join(__dirname, 'python', 'scoring_host.py');

/** Python scoring scripts run in our stand-in for Azure ML's inference server, the rest in the Node one. */
export function isPythonScript(scriptPath: string | undefined): boolean {
  return scriptPath === undefined || extname(scriptPath).toLowerCase() === '.py';
}

interface ServerCommand {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  stdio: StdioOptions;
  interpreter?: string;
}

function serverCommand(config: ScoringServerConfig): ServerCommand {
  const common = { ...config.environmentVariables, AZUREML_MODEL_DIR: config.modelDir };
  if (config.scriptPath && !isPythonScript(config.scriptPath)) {
    return {
      command: process.execPath,
      args: ['--import', TSX_LOADER, SERVER_ENTRY],
      cwd: config.codeDir ?? dirname(config.scriptPath),
      env: { ...common, AZUREML_ENTRY_SCRIPT: config.scriptPath, AUTOPILOT_SCORING_SCRIPT: config.scriptPath },
      // The IPC channel tells the server its parent died.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    };
  }
  // As Azure ML sets them: the app root is the scoring script's folder, the entry script is named relative to it.
  const appRoot = config.scriptPath ? dirname(config.scriptPath) : config.modelDir;
  const interpreter = pythonInterpreter();
  const entry: Record<string, string> = config.scriptPath
    ? { AML_APP_ROOT: appRoot, AZUREML_ENTRY_SCRIPT: basename(config.scriptPath) }
    : { AUTOPILOT_MLFLOW_MODEL: config.modelDir };
  return {
    command: interpreter,
    args: ['-u', PYTHON_HOST],
    cwd: appRoot,
    env: {
      ...common,
      ...entry,
      SCORING_TIMEOUT_MS: String(config.scoringTimeoutMs ?? 3_600_000),
      PYTHONDONTWRITEBYTECODE: '1',
    },
    // Its stdin stays open while we live: EOF tells the host its parent died.
    stdio: ['pipe', 'pipe', 'pipe'],
    interpreter,
  };
}

/**
 * Starts one scoring server process and resolves once it is live: it printed its port
 * and `GET /` answered 200. Azure ML would wait `initial_delay` before probing; locally
 * we probe right away and often, and give up after the probe's whole failure window
 * (initial_delay + period × failure_threshold), or as soon as the process exits.
 */
export function launchScoringServer(
  config: ScoringServerConfig,
  onSpawn: (child: ChildProcess) => void = () => {},
): Promise<LaunchedServer> {
  const tail = new LineTail(20);
  const log = config.logFile ? openScoringLog(config.logFile) : undefined;
  // A log that cannot be written (disk full, a failed rotation) must not take the host down with it.
  log?.on('error', (error: Error) => tail.push(`[autopilot] deployment log ${config.logFile} not written: ${error.message}`));
  // Marks each (re)start in the log, so a restart loop is visible to whoever reads it.
  log?.write(stampLogLine(`[autopilot] starting the scoring server of ${config.label}`));
  const server = serverCommand(config);
  const child = spawn(server.command, server.args, { cwd: server.cwd, env: { ...process.env, ...server.env }, stdio: server.stdio });
  // 'close', not 'exit': output may still arrive after the exit, and a write after end() throws.
  child.on('close', (code, signal) =>
    log?.end(stampLogLine(`[autopilot] scoring server exited (${code === null ? signal : `exit code ${code}`})`)),
  );
  onSpawn(child);

  let onPort: (port: number) => void = () => {};
  const portPromise = new Promise<number>((resolve) => (onPort = resolve));
  const reader = (stream: NodeJS.ReadableStream) => {
    let pending = '';
    const onLine = (line: string) => {
      const match = /^LISTENING (\d+)$/.exec(line);
      if (match) {
        // The protocol line stays out of the user's log; the port is worth a line of its own.
        log?.write(stampLogLine(`${LISTENING_MARKER}${match[1]}`));
        return onPort(Number(match[1]));
      }
      tail.push(line);
      log?.write(stampLogLine(line));
    };
    stream.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    // A last line without a newline (a crash mid-print) is still worth showing.
    stream.on('end', () => pending && onLine(pending));
  };
  reader(child.stdout!);
  reader(child.stderr!);

  const windowMs = (config.liveness.initial_delay + config.liveness.period * config.liveness.failure_threshold) * 1000;
  return new Promise<LaunchedServer>((resolve, reject) => {
    let settled = false;
    const fail = (why: string, killedBy?: NodeJS.Signals) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      child.kill('SIGKILL');
      // Let the last output arrive before quoting it.
      setTimeout(() => {
        const output = tail.toString();
        const hint = server.interpreter ? pythonHint(output, server.interpreter) : undefined;
        reject(new ScoringServerError([`${config.label}: ${why}`, output, hint].filter(Boolean).join('\n').trimEnd(), killedBy));
      }, 50);
    };
    const deadline = setTimeout(() => fail(`the scoring server did not become live within ${windowMs / 1000} s`), windowMs);
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        server.interpreter && error.code === 'ENOENT'
          ? missingInterpreterMessage(server.interpreter)
          : `could not start the scoring server: ${error.message}`,
      ),
    );
    // An exit seen before settling is not ours: fail() settles before it kills, so its signal came from outside.
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`the scoring server exited (${code === null ? signal : `exit code ${code}`}) before it became live`, signal ?? undefined);
    child.once('exit', onEarlyExit);
    void portPromise.then(async (port) => {
      const url = `http://127.0.0.1:${port}`;
      while (!settled) {
        if (await isLive(url, config.liveness.timeout * 1000)) {
          settled = true;
          clearTimeout(deadline);
          child.removeListener('exit', onEarlyExit);
          resolve({ child, url, tail });
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    });
  });
}

export function isLive(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(`${url}/`, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
