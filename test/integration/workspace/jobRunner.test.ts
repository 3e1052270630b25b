import { mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../shared/errors';
import { JobRunner } from '../../../adapters/local/workspace/jobRunner';
import { waitFor } from '../../support/waitFor';

const fixtures = join(__dirname, '../../fixtures/workspace/job');
const spec = (name: string) => join(fixtures, name);

/** A dead process may linger as a zombie until its (re)parent reaps it: that counts as dead. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function waitForFile(file: string): Promise<string> {
  return waitFor(`${file} to appear`, () => readFileSync(file, 'utf8'));
}

describe('JobRunner', () => {
  let root: string;
  let runner: JobRunner;
  const fetched: string[] = [];
  const lines: string[] = [];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'jobs-'));
    fetched.length = 0;
    lines.length = 0;
    runner = new JobRunner(root, {
      fetchInput: async (url) => {
        fetched.push(url);
        return Buffer.from('x,label\n1,0\n2,1\n3,1\n4,0\n5,1\n');
      },
      onLog: (_job, line) => lines.push(line),
    });
  });

  afterEach(async () => {
    await runner.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('runs a job to completion with its metrics, outputs, log and code hash', async () => {
    const submitted = await runner.submitJob({ name: 'train-1', specPath: spec('train.yaml'), inputs: {}, tags: { release: 'r1' } });
    expect(['queued', 'running']).toContain(submitted.status);
    const job = await runner.waitForJob('train-1');
    expect(job.status).toBe('completed');
    expect(job.exitCode).toBe(0);
    expect(job.metrics).toEqual({ auc: 0.91, rows: 3 });
    expect(job.tags).toEqual({ kind: 'fixture', release: 'r1' });
    expect(job.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(job.durationMs).toBeGreaterThan(0);
    const model = JSON.parse(readFileSync(join(job.outputs['model']!, 'model.json'), 'utf8'));
    expect(model).toMatchObject({ rows: 3, seed: 42, note: null, greeting: 'hello', runId: 'train-1', node: process.execPath });
    const log = await runner.jobLog('train-1');
    expect(log).toContain('trained on 3 rows');
    expect(log).toContain('a warning on stderr');
    expect(log).toMatch(/metrics line 2 is not JSON/);
    expect(lines).toContain('trained on 3 rows');
    expect(await runner.getJob('train-1')).toEqual(job);
  });

  it('downloads URL inputs under the blob name and passes values through the shell verbatim', async () => {
    const note = `it's $(echo pwned) \`x\` "q"`;
    await runner.submitJob({
      name: 'train-url',
      specPath: spec('train.yaml'),
      inputs: {
        data: { path: 'https://acct.blob.example/c/default/new%20data.csv?sig=secret' },
        note: { value: note },
        seed: { value: 7 },
      },
    });
    const job = await runner.waitForJob('train-url');
    expect(job.status).toBe('completed');
    expect(fetched).toEqual(['https://acct.blob.example/c/default/new%20data.csv?sig=secret']);
    expect(readFileSync(join(root, 'train-url/inputs/data/new data.csv'), 'utf8')).toContain('5,1');
    const model = JSON.parse(readFileSync(join(job.outputs['model']!, 'model.json'), 'utf8'));
    expect(model).toMatchObject({ rows: 5, seed: 7, note });
  });

  it('runs one process when the same job name is submitted twice', async () => {
    const request = { name: 'train-dup', specPath: spec('train.yaml'), inputs: {} };
    const [a, b] = await Promise.all([runner.submitJob(request), runner.submitJob(request)]);
    expect(a.createdAt).toBe(b.createdAt);
    const job = await runner.waitForJob('train-dup');
    const again = await runner.submitJob(request);
    expect(again.status).toBe('completed');
    expect(readFileSync(join(job.outputs['model']!, 'runs.log'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('marks a crashing job failed with its exit code and log tail', async () => {
    await runner.submitJob({ name: 'crash-1', specPath: spec('crash.yaml'), inputs: {} });
    const job = await runner.waitForJob('crash-1');
    expect(job.status).toBe('failed');
    expect(job.exitCode).toBe(3);
    expect(job.error).toMatch(/^exit code 3\n/);
    expect(job.error).toContain('Error: out of luck');
    expect(job.error).toContain('step 30');
    expect(job.error).not.toContain('step 5\n');
  });

  it('kills a job that runs past its timeout, with everything it started', async () => {
    // The job must start (write its pid, print 'sleeping') before the timeout: 5 s leaves a loaded machine room to start node.
    await runner.submitJob({ name: 'slow-1', specPath: spec('sleep.yaml'), inputs: {}, timeoutSeconds: 5 });
    const pid = Number(await waitForFile(join(root, 'slow-1/outputs/state/pid')));
    const job = await runner.waitForJob('slow-1');
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/^timed out after 5 s/);
    expect(job.error).toContain('sleeping');
    expect(isAlive(pid)).toBe(false);
  });

  it('cancels a running job and keeps jobs over the concurrency limit queued', async () => {
    await runner.stop();
    runner = new JobRunner(root, { fetchInput: async () => Buffer.alloc(0), maxConcurrentJobs: 1 });
    await runner.submitJob({ name: 'slow-a', specPath: spec('sleep.yaml'), inputs: {} });
    const second = await runner.submitJob({ name: 'slow-b', specPath: spec('sleep.yaml'), inputs: {} });
    expect(second.status).toBe('queued');
    const pid = Number(await waitForFile(join(root, 'slow-a/outputs/state/pid')));
    expect((await runner.getJob('slow-b'))?.status).toBe('queued');
    await runner.cancelJob('slow-a');
    expect((await runner.getJob('slow-a'))?.status).toBe('canceled');
    expect(isAlive(pid)).toBe(false);
    await waitForFile(join(root, 'slow-b/outputs/state/pid'));
    expect((await runner.getJob('slow-b'))?.status).toBe('running');
    await runner.cancelJob('slow-b');
    expect((await runner.waitForJob('slow-b')).status).toBe('canceled');
  });

  it('fails a job lost with its host when its record is too old to resubmit it', async () => {
    mkdirSync(join(root, 'orphan'));
    const record = {
      name: 'orphan',
      status: 'running',
      createdAt: new Date().toISOString(),
      metrics: {},
      outputs: {},
      tags: {},
      specPath: spec('sleep.yaml'),
      pid: 999999,
      instanceId: 'a-runner-that-is-gone',
      ownerPid: process.pid,
    };
    writeFileSync(join(root, 'orphan/job.json'), JSON.stringify(record));
    const job = await runner.getJob('orphan');
    expect(job?.status).toBe('failed');
    expect(job?.error).toBe(
      'job lost: its process was gone after the host restarted; it was recorded by an older version and cannot be resubmitted',
    );
    expect((await runner.getJob('orphan'))?.status).toBe('failed');
  });

  it('refuses a spec with an unknown reference before creating the job', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spec-'));
    try {
      writeFileSync(join(dir, 'job.yaml'), 'code: .\ncommand: node x.js ${{inputs.missing}}\n');
      const submit = runner.submitJob({ name: 'bad-1', specPath: join(dir, 'job.yaml'), inputs: {} });
      await expect(submit).rejects.toThrow(ConfigError);
      await expect(submit).rejects.toThrow(/no input 'missing'/);
      expect(await runner.getJob('bad-1')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses job names that could escape the jobs folder', async () => {
    await expect(runner.submitJob({ name: '../x', specPath: spec('train.yaml'), inputs: {} })).rejects.toThrow(/invalid job name/);
  });
});
