import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NotFoundError } from '../../../shared/errors';
import { substituteCommand } from '../../../shared/jobs/substituteCommand';
import type { JobInfo, Logger, SubmitJobRequest } from '../../../shared/ports';
import { endRunnerInstance, isLost, newRunnerInstance } from './isLost';
import { JobRecord, TERMINAL_JOB_STATUSES, toJobInfo } from './jobRecord';
import { readTail } from './logTail';
import { KeyedMutex } from './keyedMutex';
import { JobInputError, materializeInputs, type FetchInput } from './materializeInputs';
import { validateName } from './names';
import { prepareJob, type PreparedJob } from './prepareJob';
import { readMetricsFile } from './readMetricsFile';
import type { JobProcess } from './startJobProcess';
import { executeJob } from './executeJob';
import { readJsonFile, writeJsonAtomic } from './writeJsonAtomic';
import { waitForJobFile } from './waitForJobFile';

export interface JobRunnerOptions {
  /** Downloads http(s) inputs (the caller backs it with Blob Storage). */
  fetchInput: FetchInput;
  /** Jobs running at once; the rest wait `queued`. @default 2 */
  maxConcurrentJobs?: number;
  /** Every line a job prints, for progress displays. @default none */
  onLog?: (job: string, line: string) => void;
  logger?: Logger;
}

interface ActiveJob {
  record: JobRecord;
  prepared: PreparedJob;
  process?: JobProcess;
  /** Why we are stopping it, if we are. */
  stopping?: { status: 'failed' | 'canceled'; error?: string };
  done: Promise<JobInfo>;
  finish: (info: JobInfo) => void;
}

/**
 * Runs AML-style command jobs as child processes, one folder per job under `jobsDir`
 * (job.json, user_logs/std_log.txt, outputs/<name>/, inputs/<name>/, metrics.jsonl).
 */
export class JobRunner {
  private readonly instanceId = newRunnerInstance();
  private readonly active = new Map<string, ActiveJob>();
  private readonly queue: ActiveJob[] = [];
  private readonly submitting = new KeyedMutex();
  private readonly maxConcurrent: number;
  private running = 0;
  private stopped = false;

  constructor(
    private readonly jobsDir: string,
    private readonly options: JobRunnerOptions,
  ) {
    this.maxConcurrent = Math.max(1, options.maxConcurrentJobs ?? 2);
  }

  jobDir(name: string): string {
    return join(this.jobsDir, validateName('job', name));
  }

  /** Queues a job; a name that exists returns that job and starts nothing. */
  async submit(request: SubmitJobRequest): Promise<JobInfo> {
    const dir = this.jobDir(request.name);
    return this.submitting.run(request.name, async () => {
      const existing = await this.get(request.name);
      if (existing) return existing;
      const prepared = await prepareJob(request);
      await mkdir(this.jobsDir, { recursive: true });
      try {
        await mkdir(dir);
      } catch (error) {
        // Another process claimed the name between our read and mkdir: its job stands.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        return toJobInfo(await waitForJobFile(join(dir, 'job.json')));
      }
      const record: JobRecord = {
        name: request.name,
        status: 'queued',
        createdAt: new Date().toISOString(),
        metrics: {},
        outputs: Object.fromEntries(Object.keys(prepared.spec.outputs).map((o) => [o, join(dir, 'outputs', o)])),
        codeHash: prepared.codeHash,
        tags: { ...prepared.spec.tags, ...request.tags },
        specPath: prepared.specPath,
        instanceId: this.instanceId,
        ownerPid: process.pid,
      };
      if (prepared.spec.display_name) record.displayName = prepared.spec.display_name;
      if (prepared.spec.experiment_name) record.experimentName = prepared.spec.experiment_name;
      let finish!: (info: JobInfo) => void;
      const done = new Promise<JobInfo>((resolve) => (finish = resolve));
      const job: ActiveJob = { record, prepared, done, finish };
      await this.persist(job);
      this.active.set(request.name, job);
      this.queue.push(job);
      this.pump();
      return toJobInfo(record);
    });
  }

  async get(name: string): Promise<JobInfo | undefined> {
    const active = this.active.get(name);
    if (active) {
      const info = toJobInfo(active.record);
      if (active.record.status === 'running') info.metrics = (await readMetricsFile(this.metricsFile(name))).metrics;
      return info;
    }
    const file = join(this.jobDir(name), 'job.json');
    const record = await readJsonFile(JobRecord, file);
    if (!record) return undefined;
    if (isLost(record)) {
      const wasRunning = record.status === 'running';
      Object.assign(record, {
        status: 'failed',
        endedAt: new Date().toISOString(),
        error: wasRunning ? 'job lost: the host restarted while it ran' : 'job lost: the host restarted before it started',
      });
      await writeJsonAtomic(file, record);
    }
    return toJobInfo(record);
  }

  /** Resolves when the job has ended (any terminal status). */
  async waitFor(name: string, options: { timeoutMs?: number } = {}): Promise<JobInfo> {
    const deadline = Date.now() + (options.timeoutMs ?? 60 * 60_000);
    for (;;) {
      const active = this.active.get(name);
      if (active) return active.done;
      const info = await this.get(name);
      if (!info) throw new NotFoundError('job', name);
      if (TERMINAL_JOB_STATUSES.has(info.status)) return info;
      if (Date.now() > deadline) throw new Error(`job '${name}' still ${info.status} after ${options.timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async cancel(name: string): Promise<void> {
    const job = this.active.get(name);
    if (!job) {
      const info = await this.get(name);
      if (!info) throw new NotFoundError('job', name);
      if (TERMINAL_JOB_STATUSES.has(info.status)) return;
      throw new Error(`job '${name}' is run by another process; cancel it there`);
    }
    await this.stopJob(job, { status: 'canceled' });
  }

  async log(name: string, maxBytes = 64 * 1024): Promise<string> {
    return readTail(join(this.jobDir(name), 'user_logs', 'std_log.txt'), maxBytes);
  }

  /** Kills every job this runner owns; they end `failed`, so a re-driven release can retry. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [...this.active.values()].map((job) =>
        this.stopJob(job, { status: 'failed', error: 'stopped: the workspace shut down while the job was queued or running' }),
      ),
    );
    endRunnerInstance(this.instanceId);
  }

  private async stopJob(job: ActiveJob, reason: NonNullable<ActiveJob['stopping']>): Promise<void> {
    if (TERMINAL_JOB_STATUSES.has(job.record.status)) return;
    job.stopping ??= reason;
    const queuedAt = this.queue.indexOf(job);
    if (queuedAt >= 0) {
      this.queue.splice(queuedAt, 1);
      await this.end(job, reason.status, { error: reason.error });
      return;
    }
    job.process?.kill();
    await job.done;
  }

  private pump(): void {
    while (!this.stopped && this.running < this.maxConcurrent && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      void this.run(job)
        .catch((error: unknown) => this.end(job, 'failed', { error: `runner error: ${(error as Error).message}` }))
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  private async run(job: ActiveJob): Promise<void> {
    const { record, prepared } = job;
    const dir = this.jobDir(record.name);
    const logFile = join(dir, 'user_logs', 'std_log.txt');
    await mkdir(dirname(logFile), { recursive: true });
    for (const folder of Object.values(record.outputs)) await mkdir(folder, { recursive: true });
    let values;
    try {
      values = await materializeInputs(prepared.inputs, { specDir: prepared.specDir, jobDir: dir, fetchInput: this.options.fetchInput });
    } catch (error) {
      if (!(error instanceof JobInputError)) throw error;
      await appendFile(logFile, `[autopilot] ${error.message}\n`);
      return this.end(job, 'failed', { error: error.message });
    }
    if (job.stopping) return this.end(job, job.stopping.status, { error: job.stopping.error });
    record.command = substituteCommand(prepared.spec.command, values, record.outputs, { file: prepared.specPath });

    const outcome = await executeJob({
      name: record.name,
      command: record.command,
      codeDir: prepared.codeDir,
      environmentVariables: prepared.spec.environment_variables,
      logFile,
      metricsFile: this.metricsFile(record.name),
      ...(prepared.timeoutSeconds !== undefined ? { timeoutSeconds: prepared.timeoutSeconds } : {}),
      onLine: (line) => this.options.onLog?.(record.name, line),
      onSpawn: async (child, startedAt) => {
        job.process = child;
        Object.assign(record, { status: 'running', pid: child.pid, startedAt: startedAt.toISOString() });
        await this.persist(job);
      },
    });
    Object.assign(record, { metrics: outcome.metrics, durationMs: outcome.durationMs, exitCode: outcome.exitCode });
    // Set by stopJob while the job ran.
    const stopping = job.stopping as ActiveJob['stopping'];
    if (stopping) return this.end(job, stopping.status, { error: stopping.error });
    if (outcome.timedOut) return this.end(job, 'failed', { error: `timed out after ${prepared.timeoutSeconds} s\n${outcome.tail}` });
    if (outcome.exitCode === 0) return this.end(job, 'completed', {});
    const why = outcome.exitCode === null ? `killed by ${outcome.signal ?? 'a signal'}` : `exit code ${outcome.exitCode}`;
    return this.end(job, 'failed', { error: `${why}\n${outcome.tail}` });
  }

  private async end(job: ActiveJob, status: JobRecord['status'], details: { error?: string | undefined }): Promise<void> {
    if (TERMINAL_JOB_STATUSES.has(job.record.status)) return;
    job.record.status = status;
    job.record.endedAt = new Date().toISOString();
    if (details.error !== undefined) job.record.error = details.error.trimEnd();
    await this.persist(job);
    this.active.delete(job.record.name);
    this.options.logger?.info(`job ${job.record.name} ${status}`, { durationMs: job.record.durationMs });
    job.finish(toJobInfo(job.record));
  }

  private persist(job: ActiveJob): Promise<void> {
    return writeJsonAtomic(join(this.jobDir(job.record.name), 'job.json'), job.record);
  }

  private metricsFile(name: string): string {
    return join(this.jobDir(name), 'metrics.jsonl');
  }
}
