import { z } from 'zod';
import type { JobInfo } from '../../../shared/ports';

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
  /** Process group leader of the running command. */
  pid: z.number().optional(),
  /** The runner (one per process lifetime) that owns the job; see isLost. */
  instanceId: z.string(),
  ownerPid: z.number(),
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
