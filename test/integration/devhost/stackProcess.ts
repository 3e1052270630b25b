/**
 * Test helpers: run the embedded stack with the fixture app in a child process and read
 * what the fixture's functions recorded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopChild } from '../../../devhost/azurite';
import type { StackOptions } from '../../../devhost/stack';

export const FIXTURE_APP = join(__dirname, '..', '..', 'fixtures', 'functions-app');
const REPO_ROOT = join(__dirname, '..', '..', '..');

export interface StackInfo {
  urls: { functions: string; api: string; blob: string; queue: string; table: string };
  ports: { functions: number; blob: number; queue: number; table: number };
  keysPath: string;
  connectionString: string;
}

export interface StackProcess {
  info: StackInfo;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the stack on free ports with the fixture app; resolves once it printed READY. */
export function spawnStack(options: StackOptions, env: Record<string, string> = {}): Promise<StackProcess> {
  const merged: StackOptions = {
    projectRoot: FIXTURE_APP,
    functionsEntry: 'index.ts',
    port: 0,
    storagePorts: { blob: 0, queue: 0, table: 0 },
    ...options,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', join(FIXTURE_APP, 'runStack.ts'), JSON.stringify(merged)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: whatever a forced stop leaves (Azurite) goes with the group.
    detached: true,
  });
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`stack did not start within 100 s:\n${output}`));
    }, 100_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^READY (.*)$/m.exec(output);
      if (ready) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
        resolve({
          info: JSON.parse(ready[1]!) as StackInfo,
          child,
          output: () => output,
          stop: () => stopChild(child, 25_000).finally(killGroup),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stack exited with ${code} before READY:\n${output}`));
    });
  });
}

export interface Recorded {
  kind: string;
  [field: string]: unknown;
}

export function readRecords(file: string): Recorded[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Recorded);
}

export function hostKeys(info: StackInfo): { masterKey: string; functionKeys: Record<string, string>; systemKeys: Record<string, string> } {
  return JSON.parse(readFileSync(info.keysPath, 'utf8'));
}
