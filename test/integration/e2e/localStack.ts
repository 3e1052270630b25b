import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectionStringFor } from '../../../devhost/azurite';
import { freePort } from '../../../devhost/freePort';

export const ROOT = resolve(__dirname, '../../..');

export interface TestStack {
  api: string;
  functions: string;
  endpoints: string;
  connectionString: string;
  stateDir: string;
  token(principal?: string): string;
  eventGridKey(): string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the real embedded stack (`devhost/main.ts`) as a child process on free ports,
 * with its own state folder, and waits until it says it is running.
 */
export async function startTestStack(options: { config?: string; env?: Record<string, string> } = {}): Promise<TestStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'autopilot-e2e-'));
  const ports = { functions: await freePort(), blob: await freePort(), queue: await freePort(), table: await freePort(), endpoints: await freePort() };
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'devhost/main.ts', '--port', `${ports.functions}`, '--blob-port', `${ports.blob}`, '--queue-port', `${ports.queue}`,
      '--table-port', `${ports.table}`, '--endpoints-port', `${ports.endpoints}`, '--state-dir', stateDir],
    {
      cwd: ROOT,
      env: { ...process.env, AUTOPILOT_CONFIG: options.config ?? join(ROOT, 'test/fixtures/e2e/autopilot.yaml'), AUTOPILOT_JOB_POLL_SECONDS: '0.5', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + 60_000;
  let ready = false;
  while (!ready && Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    await new Promise((r) => setTimeout(r, 100));
    ready = output.includes('Press Ctrl+C to stop');
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  if (!ready) {
    await stop();
    throw new Error(`stack did not start:\n${output}`);
  }
  return {
    api: `http://127.0.0.1:${ports.functions}/api`,
    functions: `http://127.0.0.1:${ports.functions}`,
    endpoints: `http://127.0.0.1:${ports.endpoints}/endpoints`,
    connectionString: connectionStringFor(ports),
    stateDir,
    token(principal = 'local-ml-engineer') {
      const file = JSON.parse(readFileSync(join(stateDir, 'tokens.json'), 'utf8')) as { tokens: { token: string; principal: string }[] };
      return file.tokens.find((t) => t.principal === principal)!.token;
    },
    eventGridKey() {
      return (JSON.parse(readFileSync(join(stateDir, 'host-keys.json'), 'utf8')) as { systemKeys: Record<string, string> }).systemKeys['eventgrid_extension']!;
    },
    output: () => output,
    stop,
  };
}

/** Polls until `check` returns a value, or fails with what was last seen. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}
