/**
 * A host that dies (SIGKILL) or stops while a job runs: the next runner on the same folder
 * re-attaches to the job, or resubmits it under the same name, and no process is left behind.
 * Hosts are real child processes; outcomes are awaited as conditions, never slept for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobRunner } from '../../../adapters/local/workspace/jobRunner';
import { waitFor } from '../../support/waitFor';

const fixtures = join(__dirname, '../../fixtures/workspace/job');
const REPO_ROOT = join(__dirname, '../../..');

/** Alive and not a zombie (a dead process lingers as one until its reparent reaps it). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Live processes (not zombies) whose process group is one of `groups`. */
function membersOf(groups: number[]): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ').pop()!.split(' ');
      if (fields[0] !== 'Z' && groups.includes(Number(fields[2]))) members.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return members;
}

/** The pid the job wrote, once it has written all of it (an empty file, read mid-write, is not pid 0). */
function pidIn(file: string): number | undefined {
  const pid = existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
  return pid > 0 ? pid : undefined;
}

function pgidOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ')[2]);
}

describe('JobRunner across host restarts', () => {
  let root: string;
  let gate: string;
  const runners: JobRunner[] = [];
  const hosts: ChildProcess[] = [];
  const groups: number[] = [];

  const newRunner = (options: Partial<ConstructorParameters<typeof JobRunner>[1]> = {}) => {
    const runner = new JobRunner(join(root, 'jobs'), { fetchInput: async () => Buffer.alloc(0), ...options });
    runners.push(runner);
    return runner;
  };

  /** Starts a host process that submits the gated job; resolves with the job's pid once it runs. */
  const startHost = async (name: string, options: object = {}): Promise<{ host: ChildProcess; jobPid: number }> => {
    const host = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(fixtures, 'runnerHost.ts'),
        join(root, 'jobs'),
        name,
        join(fixtures, 'gated.yaml'),
        gate,
        JSON.stringify(options),
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    hosts.push(host);
    let output = '';
    host.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    host.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const pidFile = join(root, 'jobs', name, 'outputs/state/pid');
    const jobPid = await waitFor(`job ${name} to start (host output: ${output})`, () => pidIn(pidFile));
    const record = await waitFor('the job record to name its wrapper', () => {
      const text = readFileSync(join(root, 'jobs', name, 'job.json'), 'utf8');
      return (JSON.parse(text) as { pid?: number }).pid;
    });
    groups.push(pgidOf(jobPid), pgidOf(record));
    return { host, jobPid };
  };

  const sigkill = async (host: ChildProcess) => {
    const exited = new Promise((r) => host.once('exit', r));
    host.kill('SIGKILL');
    await exited;
  };

  const runsOf = (name: string) =>
    readFileSync(join(root, 'jobs', name, 'outputs/model/runs.log'), 'utf8')
      .trim()
      .split('\n');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'job-restart-'));
    gate = join(root, 'gate');
  });

  afterEach(async () => {
    for (const host of hosts.splice(0)) host.kill('SIGKILL');
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    const allGroups = [...groups];
    for (const group of groups.splice(0)) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
    await waitFor('every process of the test to end', () => membersOf(allGroups).length === 0);
    rmSync(root, { recursive: true, force: true });
  });

  it('re-attaches to a job that outlived its SIGKILLed host, and the job completes with its outputs', async () => {
    const { host, jobPid } = await startHost('reattach-1');
    await sigkill(host);
    expect(isAlive(jobPid)).toBe(true);

    const runner = newRunner();
    const found = await runner.getJob('reattach-1');
    expect(found?.status).toBe('running');
    writeFileSync(gate, '');
    const job = await runner.waitForJob('reattach-1');
    expect(job.status).toBe('completed');
    expect(job.exitCode).toBe(0);
    expect(job.metrics).toEqual({ auc: 0.9 });
    expect(runsOf('reattach-1')).toEqual([`run ${jobPid}`]);
    expect(JSON.parse(readFileSync(join(job.outputs['model']!, 'model.json'), 'utf8'))).toEqual({ runId: 'reattach-1' });
    expect(await runner.jobLog('reattach-1')).toContain('trained');
    expect(membersOf(groups)).toEqual([]);
  });

  it('resubmits a job whose process died with its host once, under the same name, with one model', async () => {
    const { host, jobPid } = await startHost('resubmit-1');
    await sigkill(host);
    // The machine restarted: nothing of the job survives either.
    const record = JSON.parse(readFileSync(join(root, 'jobs/resubmit-1/job.json'), 'utf8')) as { pid: number };
    for (const group of new Set([pgidOf(record.pid), pgidOf(jobPid)])) process.kill(-group, 'SIGKILL');
    await waitFor('the job to be gone', () => !isAlive(jobPid) && !isAlive(record.pid));
    writeFileSync(gate, '');

    const runner = newRunner();
    expect((await runner.getJob('resubmit-1'))?.status).toMatch(/^(queued|running)$/);
    const job = await runner.waitForJob('resubmit-1');
    expect(job.status).toBe('completed');
    expect(
      (await runner.submitJob({ name: 'resubmit-1', specPath: join(fixtures, 'gated.yaml'), inputs: { gate: { value: gate } } })).createdAt,
    ).toBe(job.createdAt);
    expect(readdirSync(join(root, 'jobs'))).toEqual(['resubmit-1']);
    expect(runsOf('resubmit-1')).toHaveLength(1);
    expect(runsOf('resubmit-1')).not.toContain(`run ${jobPid}`);
    expect(await runner.jobLog('resubmit-1')).toMatch(/\[autopilot\] attempt 2: resubmitted/);
  });

  it('stop kills the whole job, and the next runner resubmits it', async () => {
    const first = newRunner();
    await first.submitJob({ name: 'stopped-1', specPath: join(fixtures, 'gated.yaml'), inputs: { gate: { value: gate } } });
    const pidFile = join(root, 'jobs/stopped-1/outputs/state/pid');
    const jobPid = await waitFor('the job to start', () => pidIn(pidFile));
    const record = JSON.parse(readFileSync(join(root, 'jobs/stopped-1/job.json'), 'utf8')) as { pid: number };
    const jobGroups = [pgidOf(record.pid), pgidOf(jobPid)];
    groups.push(...jobGroups);
    await first.stop();
    expect(membersOf(jobGroups)).toEqual([]);

    writeFileSync(gate, '');
    const second = newRunner();
    const job = await second.getJob('stopped-1').then(() => second.waitForJob('stopped-1'));
    expect(job.status).toBe('completed');
    expect(runsOf('stopped-1')).toHaveLength(1);
  });

  it('reattach() takes over a job left running by a killed host, and cancel then stops all of it', async () => {
    const { host, jobPid } = await startHost('reattach-2');
    await sigkill(host);
    const runner = newRunner();
    await runner.reattach();
    const record = JSON.parse(readFileSync(join(root, 'jobs/reattach-2/job.json'), 'utf8')) as { ownerPid: number; status: string };
    expect(record).toMatchObject({ ownerPid: process.pid, status: 'running' });
    expect(isAlive(jobPid)).toBe(true);
    await runner.cancelJob('reattach-2');
    expect((await runner.getJob('reattach-2'))?.status).toBe('canceled');
    await waitFor('the canceled job to be gone', () => membersOf(groups).length === 0);
  });

  it('takes a recorded pid now used by another process for a job that is gone, and resubmits it', async () => {
    mkdirSync(join(root, 'jobs/reused-1'), { recursive: true });
    const record = {
      name: 'reused-1',
      status: 'running',
      createdAt: new Date().toISOString(),
      startedAt: new Date().toISOString(),
      metrics: {},
      outputs: { model: join(root, 'jobs/reused-1/outputs/model'), state: join(root, 'jobs/reused-1/outputs/state') },
      tags: {},
      specPath: join(fixtures, 'gated.yaml'),
      request: { specPath: join(fixtures, 'gated.yaml'), inputs: { gate: { value: gate } } },
      // This very process holds the pid now; the start time shows it is not the job's wrapper.
      pid: process.pid,
      pidStartTime: '1',
      instanceId: 'a-runner-that-is-gone',
      ownerPid: process.pid,
      attempt: 1,
    };
    writeFileSync(join(root, 'jobs/reused-1/job.json'), JSON.stringify(record));
    writeFileSync(gate, '');
    const runner = newRunner();
    await runner.getJob('reused-1');
    const job = await runner.waitForJob('reused-1');
    expect(job.status).toBe('completed');
    expect(runsOf('reused-1')).toHaveLength(1);
    expect(await runner.jobLog('reused-1')).toContain('[autopilot] attempt 2: resubmitted (its process was gone after the host restarted)');
  });

  it('a job whose host never returns stops by itself once nobody follows it', async () => {
    const { host, jobPid } = await startHost('abandoned-1', { orphanGraceSeconds: 60 });
    await sigkill(host);
    // Nobody touches the heartbeat any more; age it past the grace rather than wait a minute.
    const longAgo = new Date(Date.now() - 3600_000);
    utimesSync(join(root, 'jobs/abandoned-1/heartbeat'), longAgo, longAgo);
    const exitFile = join(root, 'jobs/abandoned-1/exit.json');
    await waitFor('the abandoned job to stop', () => !isAlive(jobPid) && membersOf(groups).length === 0 && existsSync(exitFile));
    const marker = JSON.parse(readFileSync(join(root, 'jobs/abandoned-1/exit.json'), 'utf8')) as { reason: string };
    expect(marker.reason).toBe('abandoned');
  });
});
