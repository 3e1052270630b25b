/**
 * The embedded stack killed (SIGKILL of its whole process group) or stopped (Ctrl-C)
 * while a release trains, then started again on the same state: the release ends
 * `succeeded` with exactly one training job and one model version.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectionStringFor } from '../../../devhost/azurite';
import { freePort } from '../../../devhost/freePort';
import { waitFor } from '../../support/waitFor';
import { generateCsv } from '../../../examples/tabular/generate';
import { ensureError } from '../../../shared/errors';
import type { Release } from '../../../shared/release/types';

jest.setTimeout(300_000);

const ROOT = resolve(__dirname, '../../..');
const CONFIG = join(ROOT, 'test/fixtures/e2e/train-restart.yaml');
type Ports = Record<'functions' | 'blob' | 'queue' | 'table' | 'endpoints', number>;

interface Stack {
  child: ChildProcess;
  output(): string;
}

/** `npm start` on the given ports and state folder, in its own process group; resolves once it serves. */
async function startStack(stateDir: string, ports: Ports, gate: string): Promise<Stack> {
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
      env: { ...process.env, AUTOPILOT_CONFIG: CONFIG, AUTOPILOT_JOB_POLL_SECONDS: '0.5', AUTOPILOT_TEST_GATE: gate },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-30_000));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  await waitFor('the stack to start', async () => (output.includes('Press Ctrl+C to stop') ? true : undefined), {
    timeoutMs: 90_000,
    giveUpIf: () => (child.exitCode !== null || child.signalCode !== null ? `it exited:\n${output}` : undefined),
  });
  return { child, output: () => output };
}

/** Alive and not a zombie (one lingers until its reparent reaps it). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function killGroup(child: ChildProcess): Promise<void> {
  const exited =
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // gone
  }
  return exited;
}

describe('a restart of the stack while a release trains', () => {
  let stateDir: string;
  let gate: string;
  let ports: Ports;
  let stacks: Stack[];

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'autopilot-train-restart-'));
    gate = join(stateDir, 'gate');
    ports = {
      functions: await freePort(),
      blob: await freePort(),
      queue: await freePort(),
      table: await freePort(),
      endpoints: await freePort(),
    };
    stacks = [];
  });

  afterEach(async () => {
    for (const stack of stacks) await killGroup(stack.child);
    // Jobs live in their own sessions: a test that failed midway must not leave one running.
    const jobsDir = join(stateDir, 'workspaces/dev/jobs');
    for (const job of existsSync(jobsDir) ? readdirSync(jobsDir) : []) {
      const files = [join(jobsDir, job, 'job.json'), join(jobsDir, job, 'job.pid')].filter((f) => existsSync(f));
      const pids = files.map((f) =>
        f.endsWith('.json') ? (JSON.parse(readFileSync(f, 'utf8')) as { pid?: number }).pid : Number(readFileSync(f, 'utf8').split(' ')[0]),
      );
      for (const pid of pids) {
        try {
          if (pid && isAlive(pid)) process.kill(-pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  const api = async <T>(path: string): Promise<T> => {
    const tokens = JSON.parse(readFileSync(join(stateDir, 'tokens.json'), 'utf8')) as { tokens: { token: string; principal: string }[] };
    const token = tokens.tokens.find((t) => t.principal === 'local-ml-engineer')!.token;
    const response = await fetch(`http://127.0.0.1:${ports.functions}/api${path}`, { headers: { authorization: `Bearer ${token}` } });
    return (await response.json()) as T;
  };

  /** Uploads a CSV and resolves once its training job waits at the gate. */
  const uploadAndWaitForTraining = async (stack: Stack): Promise<void> => {
    const container = BlobServiceClient.fromConnectionString(connectionStringFor(ports)).getContainerClient('training-data');
    await container.createIfNotExists();
    const content = generateCsv({ rows: 1500, seed: 11 });
    await container.getBlockBlobClient('default/day1.csv').upload(content, Buffer.byteLength(content));
    await waitFor('the training job to run', async () => (existsSync(`${gate}.waiting`) ? true : undefined), {
      giveUpIf: () => (stack.child.exitCode !== null ? `the stack exited:\n${stack.output()}` : undefined),
    });
  };

  const settle = async (stack: Stack): Promise<Release> => {
    let seen: Release[] = [];
    try {
      return await waitFor(
        'the release to end',
        async () => {
          seen = (await api<{ releases: Release[] }>('/releases')).releases;
          const release = seen.find((r) => r.data?.blob === 'default/day1.csv');
          return release && !['queued', 'running'].includes(release.status) ? release : undefined;
        },
        { timeoutMs: 240_000, giveUpIf: () => (stack.child.exitCode !== null ? `the stack exited:\n${stack.output()}` : undefined) },
      );
    } catch (error) {
      throw new Error(`${ensureError(error).message}; releases: ${JSON.stringify(seen)}\nstack output:\n${stack.output().slice(-5000)}`, {
        cause: error,
      });
    }
  };

  const expectOneJobAndModel = async (release: Release): Promise<{ attempt: number }> => {
    expect(readdirSync(join(stateDir, 'workspaces/dev/jobs'))).toEqual([`${release.id}-train`]);
    const { models } = await api<{ models: { environment: string; tags: Record<string, string> }[] }>('/models');
    expect(models.filter((m) => m.environment === 'dev' && m.tags['autopilot.release'] === release.id)).toHaveLength(1);
    return JSON.parse(readFileSync(join(stateDir, 'workspaces/dev/jobs', `${release.id}-train`, 'job.json'), 'utf8')) as {
      attempt: number;
    };
  };

  /** The release is training; what Azurite acknowledged is on disk (devhost/azuriteProcess.ts), so the kill can come now. */
  const waitUntilPersisted = async (): Promise<void> => {
    await waitFor('the release to train', async () => {
      const { releases } = await api<{ releases: Release[] }>('/releases');
      return releases.find((r) => r.job?.status === 'running');
    });
  };

  it('SIGKILL: the restarted stack re-attaches to the running job and the release succeeds', async () => {
    const first = await startStack(stateDir, ports, gate);
    stacks.push(first);
    await uploadAndWaitForTraining(first);
    await waitUntilPersisted();
    await killGroup(first.child);

    const second = await startStack(stateDir, ports, gate);
    stacks.push(second);
    writeFileSync(gate, '');
    const release = await settle(second);
    expect(release.status).toBe('succeeded');
    expect(release.stages['train']?.status).toBe('succeeded');
    expect((await expectOneJobAndModel(release)).attempt).toBe(1);
    // One job process reached the gate: the one the second stack re-attached to.
    expect(readFileSync(`${gate}.waiting`, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('Ctrl-C: the stack stops the job, and the next start resubmits it once', async () => {
    const first = await startStack(stateDir, ports, gate);
    stacks.push(first);
    await uploadAndWaitForTraining(first);
    const stopped = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGINT');
    await stopped;
    const jobPid = Number(readFileSync(`${gate}.waiting`, 'utf8').trim());
    expect(isAlive(jobPid)).toBe(false);

    writeFileSync(gate, '');
    const second = await startStack(stateDir, ports, gate);
    stacks.push(second);
    const release = await settle(second);
    expect(release.status).toBe('succeeded');
    expect((await expectOneJobAndModel(release)).attempt).toBe(2);
  });
});
