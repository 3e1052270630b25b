import { z } from 'zod';
import type { JobInfo } from '../../../shared/ports';

const JobInputValue = z.object({
  type: z.enum(['uri_file', 'uri_folder', 'string', 'integer', 'number', 'boolean']).optional(),
  path: z.string().optional(),
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
});

/** What was submitted, kept so a job lost with its host can be resubmitted as it was. */
export const JobRequest = z.object({
  specPath: z.string(),
  inputs: z.record(z.string(), JobInputValue),
  optionalInputs: z.record(z.string(), JobInputValue).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  timeoutSeconds: z.number().optional(),
});
export type JobRequest = z.infer<typeof JobRequest>;

/** What `<jobDir>/job.json` holds: the port's JobInfo plus what the runner needs to own the job. */
export const JobRecord = z.object({
  name: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'canceled']),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  durationMs: z.number().optional(),
  exitCode: z.number().nullable().optional(),
  error: z.string().optional(),
  metrics: z.record(z.string(), z.number()).default({}),
  outputs: z.record(z.string(), z.string()).default({}),
  codeHash: z.string().optional(),
  tags: z.record(z.string(), z.string()).default({}),
  specPath: z.string(),
  displayName: z.string().optional(),
  experimentName: z.string().optional(),
  /** The command after substitution, for the record and for debugging. */
  command: z.string().optional(),
  /** The job's wrapper process (see jobWrapper), and its start time, so a reused pid is not taken for it. */
  pid: z.number().optional(),
  pidStartTime: z.string().optional(),
  /** The runner (one per process lifetime) that owns the job, and its process; see isLost. */
  instanceId: z.string(),
  ownerPid: z.number(),
  ownerStartTime: z.string().optional(),
  /** The timeout the running attempt was started with (request, or the spec's limits). */
  timeoutSeconds: z.number().optional(),
  /** 1, then one more each time the job is resubmitted after losing its process. */
  attempt: z.number().int().min(1).default(1),
  /** Absent in records of older versions: such a job cannot be resubmitted. */
  request: JobRequest.optional(),
  /** Why the last attempt stopped before its end (the workspace shut down...); it is resubmitted. */
  interrupted: z.string().optional(),
});
export type JobRecord = z.infer<typeof JobRecord>;

export const TERMINAL_JOB_STATUSES: ReadonlySet<JobRecord['status']> = new Set(['completed', 'failed', 'canceled']);

export function toJobInfo(record: JobRecord): JobInfo {
  const info: JobInfo = {
    name: record.name,
    status: record.status,
    createdAt: record.createdAt,
    metrics: { ...record.metrics },
    outputs: { ...record.outputs },
    tags: { ...record.tags },
  };
  if (record.startedAt !== undefined) info.startedAt = record.startedAt;
  if (record.endedAt !== undefined) info.endedAt = record.endedAt;
  if (record.durationMs !== undefined) info.durationMs = record.durationMs;
  if (record.exitCode !== undefined) info.exitCode = record.exitCode;
  if (record.error !== undefined) info.error = record.error;
  if (record.codeHash !== undefined) info.codeHash = record.codeHash;
  return info;
}

/**
 * `<jobDir>/exit.json`, written by the job's wrapper when the command ended, so the outcome
 * survives the host. `stopped`: the runner stopped it on shutdown; `abandoned`: no runner
 * followed it for the orphan grace period.
 */
export const ExitMarker = z.object({
  attempt: z.number().int(),
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  reason: z.enum(['exited', 'timeout', 'stopped', 'abandoned', 'spawn-error']),
  endedAt: z.string(),
});
export type ExitMarker = z.infer<typeof ExitMarker>;
