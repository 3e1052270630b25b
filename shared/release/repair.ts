import { BadRequestError, NotFoundError } from '../errors';
import type { EngineDeps, RolesIn } from './context';
import type { ReleaseEngine } from './engine';
import { releaseEvent, terminalEventName } from './releaseEvents';
import { withOutbox } from './outbox';
import { salvageRecord } from './salvage';
import { isTerminal, Release, ReleaseStatus, Stage } from './types';
import { describeIssues } from './unreadable';

/** What a repair touches besides the repository. */
export type RepairDeps = Pick<EngineDeps, 'clock' | 'events'> & { workspaces: RolesIn<{ dev: 'jobs' }> };

/**
 * `autopilot repair <release>`: ends a release whose stored record no longer parses. What
 * still parses is kept; the rest is dropped and named in the reason ("record repaired:
 * metrics.candidate.accuracy: expected number, received null"). A release that had not
 * ended is `failed`; one that had ended keeps its status. Its pipeline slot is freed, so
 * the next queued release starts, and the repair is audited.
 */
export async function repairRelease(engine: ReleaseEngine, deps: RepairDeps, id: string, actor: string): Promise<Release> {
  const row = await engine.repo.getRaw(id);
  if (!row) throw new NotFoundError('release', id, 'List releases with GET /api/releases');
  const check = Release.safeParse(row.value);
  if (check.success) {
    const how = isTerminal(check.data.status) ? '' : '; to stop it, use `autopilot cancel`';
    throw new BadRequestError(
      `release ${id} can be read (it is ${check.data.status}); only an unreadable record needs a repair${how}`,
      'id',
    );
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const reason = `record repaired: ${describeIssues(check.error)}`;
  const salvaged = salvageRecord(row.value, id, at);
  const raw = row.value as Record<string, unknown>;
  const before = ReleaseStatus.safeParse(raw['status']);
  const beforeStage = Stage.safeParse(raw['stage']);
  const status = before.success && isTerminal(before.data) ? before.data : 'failed';
  const stageRecord = salvaged.stages[salvaged.stage] ?? { status: 'running' as const, attempts: 0 };
  const repaired: Release = {
    ...salvaged,
    status,
    reason,
    stages:
      status === 'failed'
        ? { ...salvaged.stages, [salvaged.stage]: { ...stageRecord, status: 'failed', endedAt: at, detail: reason } }
        : salvaged.stages,
    leaseExpiresAt: undefined,
    endedAt: salvaged.endedAt ?? at,
    updatedAt: at,
  };
  const event = terminalEventName(repaired.status);
  // ETag-guarded: a concurrent repair (or writer) makes this one fail with ConcurrencyError.
  // What follows is the write's outbox: what fails now, the sweeper finishes.
  const written = await engine.repo.replace(
    withOutbox(repaired, {
      audit: [
        {
          at,
          releaseId: id,
          pipeline: repaired.pipeline,
          actor,
          action: 'repair',
          why: reason,
          ...(before.success && beforeStage.success ? { from: { status: before.data, stage: beforeStage.data } } : {}),
          to: { status: repaired.status, stage: repaired.stage },
        },
      ],
      events: event ? [releaseEvent(event, repaired, now, { repairedBy: actor })] : [],
      releaseSlot: true,
    }),
    row.etag,
  );
  if (status === 'failed' && repaired.job) await deps.workspaces.dev.jobs.cancelJob(repaired.job.name).catch(() => undefined);
  return engine.flush(written, { defer: true });
}
