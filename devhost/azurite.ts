import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from './freePort';

/** Set to '1' for devhost/azuriteProcess.ts: it stops (saved) when its stdin, a pipe from us, closes. */
export const STOP_WITH_PARENT = 'AUTOPILOT_AZURITE_STOP_WITH_PARENT';
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;
const AZURITE_ENTRY = existsSync(join(__dirname, 'azuriteProcess.ts'))
  ? join(__dirname, 'azuriteProcess.ts')
  : join(__dirname, 'azuriteProcess.js');

// The development account and its connection strings live with the one storage-connection resolver.
import { connectionStringFor, type AzuritePorts } from '../adapters/developmentStorage';
export { DEV_ACCOUNT, DEV_ACCOUNT_KEY, connectionStringFor, type AzuritePorts } from '../adapters/developmentStorage';

export interface StartAzuriteOptions {
  /** Folder Azurite persists into. @default in-memory */
  location?: string;
  /** Fixed ports; 0 or missing picks a free one. @default free ports */
  ports?: Partial<AzuritePorts>;
  /** Forward Azurite's own output here. @default dropped */
  log?: (line: string) => void;
  /** Serve HTTPS with these PEM files (paths), as Entra ID tokens need; `connectionString` stays http, use `ports`. @default plain HTTP */
  https?: { certPath: string; keyPath: string };
  /** Accept Entra ID bearer tokens (`basic`: audience, issuer and lifetime are checked, not signatures); needs `https`. @default off */
  oauth?: 'basic';
}

export interface RunningAzurite {
  readonly ports: AzuritePorts;
  readonly connectionString: string;
  /** The Azurite process (the current one, under supervision). */
  readonly pid: number | undefined;
  /** Settles when the Azurite process ends, by stop() or otherwise. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/**
 * Starts Azurite as a child process. With a `location`, through devhost/azuriteProcess.ts:
 * Azurite's services acknowledging a write only once it is saved, so a crash loses nothing
 * acknowledged. `--skipApiVersionCheck` because on Node 20 npm resolves an Azurite older
 * than the storage SDKs' API versions (see DESIGN).
 */
export async function startAzurite(options: StartAzuriteOptions = {}): Promise<RunningAzurite> {
  // Ports we chose may be taken by another process before Azurite binds them: choose again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchAzurite(options);
    } catch (error) {
      const chosenHere = !options.ports?.blob && !options.ports?.queue && !options.ports?.table;
      if (!chosenHere || attempt >= 3 || !(error instanceof Error) || !error.message.includes('EADDRINUSE')) throw error;
    }
  }
}

async function launchAzurite(options: StartAzuriteOptions): Promise<RunningAzurite> {
  const ports: AzuritePorts = {
    blob: options.ports?.blob || (await freePort()),
    queue: options.ports?.queue || (await freePort()),
    table: options.ports?.table || (await freePort()),
  };
  // In memory there is nothing to save: Azurite's own entry, which starts faster (no TypeScript loader).
  const entry = options.location ? ['--import', TSX_LOADER, AZURITE_ENTRY] : [require.resolve('azurite/dist/src/azurite.js')];
  const args = [
    ...entry,
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    '--silent',
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(ports.blob),
    '--queueHost',
    '127.0.0.1',
    '--queuePort',
    String(ports.queue),
    '--tableHost',
    '127.0.0.1',
    '--tablePort',
    String(ports.table),
  ];
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  } else {
    args.push('--inMemoryPersistence');
  }
  if (options.https) args.push('--cert', options.https.certPath, '--key', options.https.keyPath);
  if (options.oauth) args.push('--oauth', options.oauth);
  // stdin is a pipe only so the child sees it close when we die, and stops (saved) instead of lingering.
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, [STOP_WITH_PARENT]: '1' } });
  let output = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    if (output.length < 8000) output += text;
    for (const line of text.split('\n')) if (line.trim()) options.log?.(line);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited: number | null | undefined;
  // Never outlive the process that started us (a host that exits or crashes on an error).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = code;
      process.off('exit', killOnExit);
      resolve({ code, signal });
    }),
  );

  const deadline = Date.now() + 30_000;
  for (const port of [ports.blob, ports.queue, ports.table]) {
    while (!(await canConnect(port))) {
      if (exited !== undefined) {
        throw new Error(`Azurite exited with code ${exited} before listening on ${port}:\n${output}`);
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Azurite did not listen on port ${port} within 30 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    ports,
    connectionString: connectionStringFor(ports),
    pid: child.pid,
    exited: ended,
    stop: () => stopChild(child),
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
