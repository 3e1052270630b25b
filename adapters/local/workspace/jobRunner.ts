import { appendFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureError, NotFoundError } from '../../../shared/errors';
import { substituteCommand } from '../../../shared/jobs/substituteCommand';
import type { JobInfo, Logger, SubmitJobRequest, TrainingJobs } from '../../../shared/ports';
import { collectOutcome, followJob, jobFiles, judgeExit, launchJob, liveJobGroup, readExitMarker } from './executeJob';
import { endRunnerInstance, isLost, isSameProcess, newRunnerInstance, processStartTime } from './isLost';
import { JobRecord, TERMINAL_JOB_STATUSES, toJobInfo, type ExitMarker } from './jobRecord';
import { readTail } from './logTail';
import { KeyedMutex } from './keyedMutex';
import { JobInputError, materializeInputs, type FetchInput } from './materializeInputs';
import { validateName } from './names';
import { prepareJob, toJobRequest, type PreparedJob } from './prepareJob';
import { readMetricsFile } from './readMetricsFile';
import { signalProcess, type JobProcess } from './startJobProcess';
import { readJsonFile, writeJsonAtomic } from './writeJsonAtomic';
import { waitForJobFile } from './waitForJobFile';

export interface JobRunnerOptions {
  /** Downloads http(s) inputs (the caller backs it with Blob Storage). */
  fetchInput: FetchInput;
  /** Jobs running at once; the rest wait `queued`. @default 2 */
  maxConcurrentJobs?: number;
  /** Every line a job prints, for progress displays (jobs this runner started). @default none */
  onLog?: (job: string, line: string) => void;
  logger?: Logger;
  /** A job no runner follows for this long stops itself: its host died and none came back. @default 600 */
  orphanGraceSeconds?: number;
  /** Attempts of one job, counting resubmissions after its process was lost. @default 3 */
  maxAttempts?: number;
}

interface ActiveJob {
  record: JobRecord;
  /** Absent for a job re-attached after a restart: it is followed, not started. */
  prepared?: PreparedJob;
  process?: JobProcess;
  /** Why we are stopping it; `queued`: the workspace shuts down, the next runner resubmits it. */
  stopping?: { status: 'failed' | 'canceled' | 'queued'; error?: string };
  done: Promise<JobInfo>;
  finish: (info: JobInfo) => void;
}

const OWN_START_TIME = processStartTime(process.pid);

/**
 * Runs AML-style command jobs as child processes, one folder per job under `jobsDir`
 * (job.json, user_logs/std_log.txt, outputs/<name>/, inputs/<name>/, metrics.jsonl,
 * exit.json). A job outlives a host that dies: the next runner that reads it re-attaches
 * to it, or resubmits it under the same name when its process is gone (see recover).
 */
export class JobRunner implements TrainingJobs {
  private readonly instanceId = newRunnerInstance();
  private readonly active = new Map<string, ActiveJob>();
  private readonly queue: ActiveJob[] = [];
  private readonly submitting = new KeyedMutex();
  private readonly maxConcurrent: number;
  private readonly orphanGraceSeconds: number;
  private running = 0;
  private stopped = false;

  constructor(
    private readonly jobsDir: string,
    private readonly options: JobRunnerOptions,
  ) {
    this.maxConcurrent = Math.max(1, options.maxConcurrentJobs ?? 2);
    this.orphanGraceSeconds = options.orphanGraceSeconds ?? 600;
  }

  jobDir(name: string): string {
    return join(this.jobsDir, validateName('job', name));
  }

  /** Queues a job; a name that exists returns that job and starts nothing. */
  async submitJob(request: SubmitJobRequest): Promise<JobInfo> {
    const dir = this.jobDir(request.name);
    return this.submitting.run(request.name, async () => {
      const existing = await this.read(request.name);
      if (existing) return isLost(existing) ? this.recover(existing, 'resubmit', false) : toJobInfo(existing);
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
        ...this.owner(),
        attempt: 1,
        request: toJobRequest(request),
      };
      if (prepared.spec.display_name) record.displayName = prepared.spec.display_name;
      if (prepared.spec.experiment_name) record.experimentName = prepared.spec.experiment_name;
      const job = this.activate(record, prepared);
      await this.persist(job);
      this.queue.push(job);
      this.pump();
      return toJobInfo(record);
    });
  }

  /** The job; one lost with its host is taken over first (re-attached or resubmitted). */
  async getJob(name: string): Promise<JobInfo | undefined> {
    const active = this.active.get(name);
    if (active) {
      const info = toJobInfo(active.record);
      if (active.record.status === 'running') info.metrics = (await readMetricsFile(jobFiles(this.jobDir(name)).metricsFile)).metrics;
      return info;
    }
    const record = await this.read(name);
    if (!record) return undefined;
    return isLost(record) ? this.recover(record, 'resubmit') : toJobInfo(record);
  }

  /**
   * Resolves when the job has ended (any terminal status), or, if this workspace stops
   * first, with the job `queued` again: the next runner resubmits it.
   */
  async waitForJob(name: string, options: { timeoutMs?: number } = {}): Promise<JobInfo> {
    const deadline = Date.now() + (options.timeoutMs ?? 60 * 60_000);
    for (;;) {
      const active = this.active.get(name);
      if (active) return active.done;
      const info = await this.getJob(name);
      if (!info) throw new NotFoundError('job', name);
      if (TERMINAL_JOB_STATUSES.has(info.status)) return info;
      if (Date.now() > deadline) throw new Error(`job '${name}' still ${info.status} after ${options.timeoutMs} ms`);
      if (!this.active.has(name)) await new Promise((r) => setTimeout(r, 200));
    }
  }

  async cancelJob(name: string): Promise<void> {
    let job = this.active.get(name);
    if (!job) {
      const record = await this.read(name);
      if (!record) throw new NotFoundError('job', name);
      if (TERMINAL_JOB_STATUSES.has(record.status)) return;
      if (!isLost(record)) throw new Error(`job '${name}' is run by another process; cancel it there`);
      await this.recover(record, 'cancel');
      job = this.active.get(name);
      if (!job) return;
    }
    await this.stopJob(job, { status: 'canceled' });
  }

  async jobLog(name: string, maxBytes = 64 * 1024): Promise<string> {
    return readTail(jobFiles(this.jobDir(name)).logFile, maxBytes);
  }

  /** Re-attaches to the jobs a dead host left running, so they are followed (and not stopped as orphans). */
  async reattach(): Promise<void> {
    const names = await readdir(this.jobsDir).catch(() => [] as string[]);
    for (const name of names) {
      const record = await this.read(name).catch(() => undefined);
      if (record?.status === 'running' && isLost(record) && isSameProcess(record.pid, record.pidStartTime))
        await this.recover(record, 'resubmit');
    }
  }

  /**
   * Stops every job this runner follows, with its whole process group, and leaves it
   * `queued`: the next runner on this folder resubmits it when asked. Nothing keeps running.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [...this.active.values()].map((job) => this.stopJob(job, { status: 'queued', error: 'the workspace shut down while it ran' })),
    );
    endRunnerInstance(this.instanceId);
  }

  private async stopJob(job: ActiveJob, reason: NonNullable<ActiveJob['stopping']>): Promise<void> {
    if (TERMINAL_JOB_STATUSES.has(job.record.status)) return;
    job.stopping ??= reason;
    const queuedAt = this.queue.indexOf(job);
    if (queuedAt >= 0) {
      this.queue.splice(queuedAt, 1);
      await this.settleStopped(job);
      return;
    }
    if (job.process) job.process.stop();
    else if (isSameProcess(job.record.pid, job.record.pidStartTime)) signalProcess(job.record.pid!, 'SIGTERM');
    await job.done;
  }

  /**
   * Takes over a job whose runner is gone. Still running: followed from here (re-attached).
   * Gone: resubmitted under the same name, outputs cleared, so one job makes one model.
   */
  private async recover(lost: JobRecord, orElse: 'resubmit' | 'cancel', lock = true): Promise<JobInfo> {
    const take = async (): Promise<JobInfo> => {
      const active = this.active.get(lost.name);
      if (active) return toJobInfo(active.record);
      const dir = this.jobDir(lost.name);
      const record = await this.read(lost.name);
      if (!record || !isLost(record) || this.stopped) return toJobInfo(record ?? lost);
      // mkdir is atomic: of two hosts sharing the folder, one takes the job over.
      await mkdir(join(dir, 'claims'), { recursive: true });
      const claimed = await mkdir(join(dir, 'claims', record.instanceId)).then(
        () => true,
        () => false,
      );
      if (!claimed) return toJobInfo(record);
      const marker = await readExitMarker(jobFiles(dir), record.attempt);
      Object.assign(record, this.owner());
      const job = this.activate(record);
      const ended = marker && marker.reason !== 'stopped' && marker.reason !== 'abandoned';
      if (record.status === 'running' && (ended || (!marker && isSameProcess(record.pid, record.pidStartTime)))) {
        this.options.logger?.info(`job ${record.name} re-attached after a restart`, { attempt: record.attempt });
        await this.persist(job);
        this.track(job, () => this.follow(job));
        return toJobInfo(record);
      }
      if (orElse === 'cancel') {
        await this.end(job, 'canceled', {});
        return toJobInfo(record);
      }
      await this.resubmit(job, whyLost(record, marker));
      return toJobInfo(record);
    };
    return lock ? this.submitting.run(lost.name, take) : take();
  }

  private async resubmit(job: ActiveJob, why: string): Promise<void> {
    const { record } = job;
    const files = jobFiles(this.jobDir(record.name));
    const group = await liveJobGroup(files);
    if (group !== undefined) signalProcess(-group, 'SIGKILL');
    if (!record.request)
      return this.end(job, 'failed', { error: `job lost: ${why}; it was recorded by an older version and cannot be resubmitted` });
    const maxAttempts = this.options.maxAttempts ?? 3;
    if (record.attempt >= maxAttempts)
      return this.end(job, 'failed', { error: `job lost ${record.attempt} times (of ${maxAttempts} attempts); last: ${why}` });
    try {
      job.prepared = await prepareJob({ name: record.name, ...record.request });
    } catch (error) {
      return this.end(job, 'failed', { error: `job lost: ${why}; resubmitting it failed: ${ensureError(error).message}` });
    }
    // The earlier attempt's half-written outputs must not mix with this one's.
    await Promise.all(Object.values(record.outputs).map((folder) => rm(folder, { recursive: true, force: true })));
    await Promise.all([files.metricsFile, files.exitFile, files.pidFile].map((file) => rm(file, { force: true })));
    await mkdir(join(this.jobDir(record.name), 'user_logs'), { recursive: true });
    await appendFile(files.logFile, `[autopilot] attempt ${record.attempt + 1}: resubmitted (${why})\n`);
    for (const key of ['startedAt', 'endedAt', 'pid', 'pidStartTime', 'exitCode', 'command', 'interrupted', 'error', 'durationMs'] as const)
      delete record[key];
    Object.assign(record, { status: 'queued', attempt: record.attempt + 1, metrics: {} });
    this.options.logger?.info(`job ${record.name} resubmitted: ${why}`, { attempt: record.attempt });
    await this.persist(job);
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.maxConcurrent && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.track(job, () => this.run(job));
    }
  }

  private track(job: ActiveJob, work: () => Promise<void>): void {
    this.running++;
    void work()
      .catch((error: unknown) => this.end(job, 'failed', { error: `runner error: ${ensureError(error).message}` }))
      .finally(() => {
        this.running--;
        this.pump();
      });
  }

  private async run(job: ActiveJob): Promise<void> {
    const { record } = job;
    const prepared = job.prepared!;
    const dir = this.jobDir(record.name);
    const files = jobFiles(dir);
    await mkdir(join(dir, 'user_logs'), { recursive: true });
    for (const folder of Object.values(record.outputs)) await mkdir(folder, { recursive: true });
    let values;
    try {
      values = await materializeInputs(prepared.inputs, { specDir: prepared.specDir, jobDir: dir, fetchInput: this.options.fetchInput });
    } catch (error) {
      if (!(error instanceof JobInputError)) throw error;
      await appendFile(files.logFile, `[autopilot] ${error.message}\n`);
      return this.end(job, 'failed', { error: error.message });
    }
    if (job.stopping) return this.settleStopped(job);
    record.command = substituteCommand(prepared.spec.command, values, record.outputs, { file: prepared.specPath });
    const startedAt = new Date();
    job.process = await launchJob({
      name: record.name,
      attempt: record.attempt,
      command: record.command,
      codeDir: prepared.codeDir,
      environmentVariables: prepared.spec.environment_variables,
      files,
      ...(prepared.timeoutSeconds !== undefined ? { timeoutSeconds: prepared.timeoutSeconds } : {}),
      orphanGraceSeconds: this.orphanGraceSeconds,
      onLine: (line) => this.options.onLog?.(record.name, line),
    });
    Object.assign(record, {
      status: 'running',
      pid: job.process.pid,
      startedAt: startedAt.toISOString(),
      timeoutSeconds: prepared.timeoutSeconds,
    });
    if (job.process.startTime !== undefined) record.pidStartTime = job.process.startTime;
    await this.persist(job);
    if (job.stopping) job.process.stop();
    return this.follow(job);
  }

  /** Follows a running attempt (started here or re-attached) to its end, and records it. */
  private async follow(job: ActiveJob): Promise<void> {
    const { record } = job;
    const files = jobFiles(this.jobDir(record.name));
    const marker = await followJob({
      files,
      attempt: record.attempt,
      pid: record.pid ?? -1,
      startTime: record.pidStartTime,
      ...(job.process ? { exited: job.process.exited } : {}),
      heartbeatMs: Math.min(5000, (this.orphanGraceSeconds * 1000) / 4),
    });
    const stopping = job.stopping as ActiveJob['stopping'];
    if (!marker || marker.reason === 'stopped' || marker.reason === 'abandoned') {
      if (stopping || this.stopped) return this.settleStopped(job);
      return this.resubmit(job, marker ? `its process was ${marker.reason}` : 'its process was killed');
    }
    const outcome = await collectOutcome(files);
    const durationMs = Date.parse(marker.endedAt) - Date.parse(record.startedAt ?? marker.endedAt);
    Object.assign(record, { metrics: outcome.metrics, durationMs: Math.max(1, durationMs), exitCode: marker.exitCode });
    if (stopping && stopping.status !== 'queued') return this.end(job, stopping.status, { error: stopping.error });
    const verdict = judgeExit(marker, outcome.tail, record.timeoutSeconds);
    return this.end(job, verdict.status, { error: verdict.error });
  }

  /** A job stopped before its end: canceled or failed as asked, or left `queued` for the next runner. */
  private async settleStopped(job: ActiveJob): Promise<void> {
    const stopping = job.stopping ?? { status: 'queued', error: 'the workspace shut down while it ran' };
    if (stopping.status !== 'queued') return this.end(job, stopping.status, { error: stopping.error });
    Object.assign(job.record, { status: 'queued', interrupted: stopping.error });
    await this.persist(job);
    this.active.delete(job.record.name);
    this.options.logger?.info(`job ${job.record.name} stopped; it is resubmitted when the workspace starts again`);
    job.finish(toJobInfo(job.record));
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

  private activate(record: JobRecord, prepared?: PreparedJob): ActiveJob {
    let finish!: (info: JobInfo) => void;
    const done = new Promise<JobInfo>((resolve) => (finish = resolve));
    const job: ActiveJob = { record, done, finish, ...(prepared ? { prepared } : {}) };
    this.active.set(record.name, job);
    return job;
  }

  private owner(): Pick<JobRecord, 'instanceId' | 'ownerPid' | 'ownerStartTime'> {
    return {
      instanceId: this.instanceId,
      ownerPid: process.pid,
      ...(OWN_START_TIME !== undefined ? { ownerStartTime: OWN_START_TIME } : {}),
    };
  }

  private read(name: string): Promise<JobRecord | undefined> {
    return readJsonFile(JobRecord, join(this.jobDir(name), 'job.json'));
  }

  private persist(job: ActiveJob): Promise<void> {
    return writeJsonAtomic(join(this.jobDir(job.record.name), 'job.json'), job.record);
  }
}

function whyLost(record: JobRecord, marker: ExitMarker | undefined): string {
  if (record.interrupted) return record.interrupted;
  if (record.status === 'queued') return 'the host restarted before it started';
  return marker ? `its process was ${marker.reason} while no host followed it` : 'its process was gone after the host restarted';
}
