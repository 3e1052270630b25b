import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { connectionStringFor } from '../../../devhost/azurite';
import { freePort } from '../../../devhost/freePort';
import { generateCsv } from '../../../examples/tabular/generate';
import type { Release } from '../../../shared/release/types';
import { waitFor } from './localStack';

jest.setTimeout(240_000);

const ROOT = resolve(__dirname, '../../..');
const CONFIG = join(ROOT, 'test/fixtures/e2e/autopilot.yaml');

interface Stack {
  child: ChildProcess;
  api: string;
  blob: number;
  exited: Promise<void>;
  output(): string;
}

/** `npm start` on free ports and a given state folder, in its own process group (so SIGKILL takes Azurite too). */
async function startStack(stateDir: string): Promise<Stack> {
  const ports = {
    functions: await freePort(),
    blob: await freePort(),
    queue: await freePort(),
    table: await freePort(),
    endpoints: await freePort(),
  };
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'devhost/main.ts',
      '--port',
      `${ports.functions}`,
      '--blob-port',
      `${ports.blob}`,
      '--queue-port',
      `${ports.queue}`,
      '--table-port',
      `${ports.table}`,
      '--endpoints-port',
      `${ports.endpoints}`,
      '--state-dir',
      stateDir,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, AUTOPILOT_CONFIG: CONFIG, AUTOPILOT_JOB_POLL_SECONDS: '0.5' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  let exitReason: string | undefined;
  const exited = new Promise<void>((done) => child.once('exit', (code, signal) => ((exitReason = `${signal ?? code}`), done())));
  const stack = { child, api: `http://127.0.0.1:${ports.functions}/api`, blob: ports.blob, exited, output: () => output };
  await waitFor('the stack to start', async () => (output.includes('Press Ctrl+C to stop') ? true : undefined), {
    timeoutMs: 90_000,
    giveUpIf: () => (exitReason ? `it exited (${exitReason}):\n${output}` : undefined),
  });
  return stack;
}

async function crash(stack: Stack): Promise<void> {
  process.kill(-stack.child.pid!, 'SIGKILL');
  await stack.exited;
  await waitFor('the killed stack to release its ports', async () => ((await accepts(stack.blob)) ? undefined : true));
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });
}

function killQuietly(stack: Stack | undefined): void {
  try {
    if (stack) process.kill(-stack.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function get<T>(stack: Stack, stateDir: string, path: string): Promise<T> {
  const tokens = JSON.parse(readFileSync(join(stateDir, 'tokens.json'), 'utf8')) as { tokens: { token: string; principal: string }[] };
  const token = tokens.tokens.find((t) => t.principal === 'local-reader')!.token;
  const response = await fetch(`${stack.api}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

type ReleaseView = { release: Release; audit: unknown[] };

describe('the embedded stack killed with SIGKILL right after a release ended', () => {
  let stateDir: string;
  let stack: Stack | undefined;
  afterEach(() => {
    killQuietly(stack);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('comes back with the uploaded blob, the release in its final state and its whole audit log', async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'autopilot-crash-'));
    stack = await startStack(stateDir);
    const csv = generateCsv({ rows: 1500, seed: 11 });
    const container = BlobServiceClient.fromConnectionString(
      connectionStringFor({ blob: stack.blob, queue: 1, table: 1 }),
    ).getContainerClient('training-data');
    await container.createIfNotExists();
    await container.getBlockBlobClient('default/day1.csv').upload(csv, Buffer.byteLength(csv));
    const running = stack;
    const ended = await waitFor(
      'the release to end',
      async () => {
        const { releases } = await get<{ releases: Release[] }>(running, stateDir, '/releases');
        const release = releases.find((r) => r.data?.blob === 'default/day1.csv');
        return release && ['succeeded', 'rejected', 'failed', 'cancelled'].includes(release.status) ? release : undefined;
      },
      { giveUpIf: () => (running.child.exitCode !== null ? `the stack exited:\n${running.output()}` : undefined) },
    );
    const before = await get<ReleaseView>(stack, stateDir, `/releases/${ended.id}`);
    expect(before.release.status).toBe('succeeded');

    await crash(stack);
    stack = await startStack(stateDir);

    const after = await get<ReleaseView>(stack, stateDir, `/releases/${ended.id}`);
    expect({ status: after.release.status, stage: after.release.stage, audit: after.audit }).toEqual({
      status: before.release.status,
      stage: before.release.stage,
      audit: before.audit,
    });
    const restarted = BlobServiceClient.fromConnectionString(
      connectionStringFor({ blob: stack.blob, queue: 1, table: 1 }),
    ).getContainerClient('training-data');
    expect((await restarted.getBlockBlobClient('default/day1.csv').downloadToBuffer()).toString()).toBe(csv);
  });
});
