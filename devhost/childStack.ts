import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectionStringFor, stopChild } from './azurite';
import { EVENTGRID_SYSTEM_KEY } from './hostKeys';
import { freePort } from './freePort';

const ROOT = resolve(__dirname, '..');

export interface ChildStack {
  api: string;
  /** The host's root URL (webhooks live under /runtime). */
  functions: string;
  endpoints: string;
  connectionString: string;
  stateDir: string;
  /** The host's process id (the functions host itself; Azurite and scoring servers are its children), e.g. to sample its RSS. */
  pid: number;
  /** The tail of the stack's stdout/stderr, for failure reports. */
  output(): string;
  /** Why the stack process ended, if it has (it should only end when stop() is called). */
  exitReason(): string | undefined;
  /** Bearer token of a local principal (read from `<stateDir>/tokens.json`). */
  token(principal?: string): string;
  /** The `eventgrid_extension` system key, for posting to the Event Grid webhook. */
  eventGridKey(): string;
  stop(): Promise<void>;
}

export interface StartChildStackOptions {
  /** Seconds between job status polls by the train stage. @default '1' (the product default) */
  jobPollSeconds?: string;
  /** @default 90_000 */
  startTimeoutMs?: number;
  /** More environment for the stack. @default none */
  env?: Record<string, string>;
  /** Sees every chunk the stack prints (stdout and stderr), e.g. to scan it all for secrets. @default none */
  onOutput?: (chunk: string) => void;
  /** Another stack's connection string: join its storage account as a second instance (`--join-storage`). @default none */
  joinStorage?: string;
  /** Node options for the host process only, before its script (e.g. `--cpu-prof`). @default none */
  nodeArgs?: string[];
  /** Picks each port. @default freePort */
  pickPort?: () => Promise<number>;
  /**
   * A packaged function app folder to run (`--app`), as its working directory, as Azure runs it.
   * `readOnly` mounts it read-only for the stack alone (`unshare -rm`: a user and mount namespace;
   * file modes prove nothing to root), as a package deployment is. @default the sources
   */
  app?: { dir: string; readOnly?: boolean };
}

/**
 * Starts the embedded stack (`devhost/main.ts`) as a child process on free ports with a
 * temporary state folder: what the end-to-end tests and the benchmark run against.
 *
 * A port found free may be taken by another process before the stack binds it (tests and
 * scoring servers on the same machine pick ports all the time): a start that fails with
 * EADDRINUSE is tried again on other ports, a few times.
 */
export async function startChildStack(config: string, options: StartChildStackOptions = {}): Promise<ChildStack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(config, options);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof Error) || !/EADDRINUSE|is already in use/.test(error.message)) throw error;
    }
  }
}

async function startOnce(config: string, options: StartChildStackOptions): Promise<ChildStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'autopilot-stack-'));
  const pick = options.pickPort ?? freePort;
  const ports = { functions: await pick(), blob: await pick(), queue: await pick(), table: await pick(), endpoints: await pick() };
  const hostArgs = [
    ...(options.nodeArgs ?? []),
    '--import',
    'tsx',
    join(ROOT, 'devhost/main.ts'),
    '--port',
    `${ports.functions}`,
    ...(options.joinStorage ? [] : ['--blob-port', `${ports.blob}`, '--queue-port', `${ports.queue}`, '--table-port', `${ports.table}`]),
    '--endpoints-port',
    `${ports.endpoints}`,
    '--state-dir',
    stateDir,
    ...(options.app ? ['--app', options.app.dir] : []),
  ];
  const [command, args] = options.app?.readOnly
    ? ['unshare', ['-rm', 'sh', '-c', 'mount --bind -o ro "$0" "$0" && exec "$@"', options.app.dir, process.execPath, ...hostArgs]]
    : [process.execPath, hostArgs];
  const child: ChildProcess = spawn(command, args, {
    cwd: options.app?.dir ?? ROOT,
    env: {
      ...process.env,
      AUTOPILOT_CONFIG: config,
      AUTOPILOT_JOB_POLL_SECONDS: options.jobPollSeconds ?? '1',
      ...options.env,
      // In the environment rather than the arguments: a connection string carries the account key.
      ...(options.joinStorage ? { AUTOPILOT_JOIN_STORAGE: options.joinStorage } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a forced stop also takes Azurite and other children along.
    detached: true,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    options.onOutput?.(chunk.toString());
    // Keep only the tail: the host logs every step and the bench only needs it on failure.
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let exitReason: string | undefined;
  child.once('exit', (code, signal) => {
    exitReason = signal ? `killed by ${signal}` : `exited with code ${code}`;
  });

  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is already gone
    }
  };
  const stop = async () => {
    await stopChild(child, 10_000); // the stack stops its own children cleanly on SIGTERM
    // Whatever survived a crash or a forced stop of the stack (e.g. an orphaned Azurite).
    killGroup('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  while (!output.includes('Press Ctrl+C to stop')) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the embedded stack did not start (config ${config}); its output:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    api: `http://127.0.0.1:${ports.functions}/api`,
    functions: `http://127.0.0.1:${ports.functions}`,
    endpoints: `http://127.0.0.1:${ports.endpoints}/endpoints`,
    connectionString: options.joinStorage ?? connectionStringFor(ports),
    stateDir,
    pid: child.pid!,
    output: () => output,
    exitReason: () => exitReason,
    token(principal = 'local-ml-engineer') {
      const file = JSON.parse(readFileSync(join(stateDir, 'tokens.json'), 'utf8')) as { tokens: { token: string; principal: string }[] };
      const found = file.tokens.find((t) => t.principal === principal);
      if (!found) throw new Error(`no local token for principal '${principal}' in ${join(stateDir, 'tokens.json')}`);
      return found.token;
    },
    eventGridKey() {
      const keys = JSON.parse(readFileSync(join(stateDir, 'host-keys.json'), 'utf8')) as { systemKeys: Record<string, string> };
      return keys.systemKeys[EVENTGRID_SYSTEM_KEY]!;
    },
    stop,
  };
}
