import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connectionStringFor } from '../../devhost/azurite';
import { freePort } from '../../devhost/freePort';

const ROOT = resolve(__dirname, '../..');

export interface StackPorts {
  functions: number;
  blob: number;
  queue: number;
  table: number;
  endpoints: number;
}

/**
 * The embedded stack as a process group that a test can SIGKILL and start again on the
 * same ports and state folder: what a power cut or an OOM kill does to `npm start`.
 */
export class CrashableStack {
  private child: ChildProcess | undefined;
  private output = '';
  generation = 0;

  private constructor(
    readonly config: string,
    readonly stateDir: string,
    readonly ports: StackPorts,
    private readonly env: Record<string, string>,
  ) {}

  static async create(config: string, stateDir: string, env: Record<string, string> = {}): Promise<CrashableStack> {
    const ports = {
      functions: await freePort(),
      blob: await freePort(),
      queue: await freePort(),
      table: await freePort(),
      endpoints: await freePort(),
    };
    return new CrashableStack(config, stateDir, ports, env);
  }

  get api(): string {
    return `http://127.0.0.1:${this.ports.functions}/api`;
  }
  get functions(): string {
    return `http://127.0.0.1:${this.ports.functions}`;
  }
  get connectionString(): string {
    return connectionStringFor(this.ports);
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  /** The end of the stack's output, without the lines of the test's own polling. */
  tail(): string {
    return this.output
      .split('\n')
      .filter((line) => !/\[listReleases\]|\[listModels\]/.test(line))
      .join('\n')
      .slice(-6000);
  }

  async start(timeoutMs = 120_000): Promise<void> {
    const p = this.ports;
    this.output = '';
    this.generation++;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'devhost/main.ts',
        '--port',
        `${p.functions}`,
        '--blob-port',
        `${p.blob}`,
        '--queue-port',
        `${p.queue}`,
        '--table-port',
        `${p.table}`,
        '--endpoints-port',
        `${p.endpoints}`,
        '--state-dir',
        this.stateDir,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, AUTOPILOT_CONFIG: this.config, AUTOPILOT_JOB_POLL_SECONDS: '0.5', ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    this.child = child;
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-50_000);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    await new Promise<void>((resolveStart, reject) => {
      const timer = setTimeout(() => reject(new Error(`the stack did not start in ${timeoutMs} ms:\n${this.tail()}`)), timeoutMs);
      const check = () => {
        if (this.output.includes('Press Ctrl+C to stop')) {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolveStart();
        }
      };
      child.stdout!.on('data', check);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the stack exited while starting (${signal ?? code}):\n${this.tail()}`));
      });
    });
    child.removeAllListeners('exit');
  }

  /** SIGKILL to the stack's whole process group: no stop hook runs, nothing is flushed. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const exited = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
    this.child = undefined;
  }

  /** A clean stop (SIGTERM, as Ctrl-C), then whatever is left of the group is killed. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const exited = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
    process.kill(child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000).unref())]);
    await this.kill();
  }

  token(principal = 'local-ml-engineer'): string {
    const file = JSON.parse(readFileSync(join(this.stateDir, 'tokens.json'), 'utf8')) as { tokens: { token: string; principal: string }[] };
    return file.tokens.find((t) => t.principal === principal)!.token;
  }

  async get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.api}${path}`, { headers: { authorization: `Bearer ${this.token()}` } });
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** Processes of this stack whose command line contains `command` and whose environment passes `env`. */
  processes(command: string, env: (vars: Record<string, string>) => boolean = () => true): number[] {
    const pids: number[] = [];
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid === process.pid) continue;
      const cmdline = readProc(pid, 'cmdline').replace(/\0/g, ' ');
      if (!cmdline.includes(command)) continue;
      const vars = Object.fromEntries(
        readProc(pid, 'environ')
          .split('\0')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      if (
        !cmdline.includes(this.stateDir) &&
        vars['AUTOPILOT_STATE_DIR'] !== this.stateDir &&
        !Object.values(vars).some((v) => v.startsWith(this.stateDir))
      )
        continue;
      if (env(vars)) pids.push(pid);
    }
    return pids;
  }

  /**
   * Processes that work in this stack's state folder (jobs, scoring servers, Azurite) but
   * do not descend from the running stack: left behind by a killed one.
   */
  orphans(): { pid: number; command: string }[] {
    const alive = this.child?.pid;
    const found: { pid: number; command: string }[] = [];
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid === process.pid) continue;
      const command = readProc(pid, 'cmdline').replace(/\0/g, ' ').trim();
      let cwd: string;
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        continue;
      }
      if (!command.includes(this.stateDir) && !cwd.startsWith(this.stateDir)) continue;
      if (alive !== undefined && descendsFrom(pid, alive)) continue;
      if (/^\d+ \(.*\) Z/.test(readProc(pid, 'stat'))) continue; // a zombie is already dead
      found.push({ pid, command: command.slice(0, 200) });
    }
    return found;
  }
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

function descendsFrom(pid: number, ancestor: number): boolean {
  for (let current = pid, hops = 0; current > 1 && hops < 64; hops++) {
    if (current === ancestor) return true;
    const stat = readProc(current, 'stat');
    // Field 4 (ppid) follows the command in parentheses, which may itself contain spaces.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(ppid)) return false;
    current = ppid;
  }
  return false;
}
