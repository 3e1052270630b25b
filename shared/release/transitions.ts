import type { StageOutcome } from './context';
import { STAGES, type Release, type Stage, type StageRecord } from './types';

/**
 * The pure state machine: given a release at a stage and what the stage handler
 * decided, the next release record. No I/O, so every rule here is unit-tested.
 */
export function applyOutcome(release: Release, outcome: StageOutcome, now: Date, leaseSeconds: number): Release {
  const at = now.toISOString();
  const stage = release.stage;
  // The invocation that decided the outcome finished: it no longer holds the stage.
  const current: StageRecord = { ...(release.stages[stage] ?? { status: 'running', attempts: 0 }), starts: 0, heldBy: undefined };
  const base: Release = { ...release, ...outcome.patch, updatedAt: at };
  switch (outcome.kind) {
    case 'wait':
      return {
        ...base,
        stages: { ...release.stages, [stage]: { ...current, status: 'running', detail: outcome.detail ?? current.detail } },
        leaseExpiresAt: addSeconds(now, outcome.delaySeconds + leaseSeconds),
      };
    case 'end':
      return {
        ...base,
        status: outcome.status,
        reason: outcome.reason,
        // A rejection (data gate, evaluation gate) is the stage's verdict, reached as designed:
        // the stage succeeded and the release ended rejected. Only a failure fails the stage.
        stages: {
          ...release.stages,
          [stage]:
            outcome.status === 'rejected'
              ? { ...current, status: 'succeeded', endedAt: at, detail: `rejected: ${outcome.reason}` }
              : { ...current, status: 'failed', endedAt: at, detail: outcome.reason },
        },
        leaseExpiresAt: undefined,
        endedAt: at,
      };
    case 'advance': {
      const done = { ...current, status: 'succeeded' as const, endedAt: at, detail: outcome.detail ?? current.detail };
      const next = nextStage(stage);
      if (!next) {
        return { ...base, status: 'succeeded', stages: { ...release.stages, [stage]: done }, leaseExpiresAt: undefined, endedAt: at };
      }
      return {
        ...base,
        stage: next,
        stages: { ...release.stages, [stage]: done, [next]: { status: 'running', startedAt: at, attempts: 0, starts: 0 } },
        leaseExpiresAt: addSeconds(now, leaseSeconds),
      };
    }
  }
}

export function nextStage(stage: Stage): Stage | undefined {
  return STAGES[STAGES.indexOf(stage) + 1];
}

/** A queued release starts at the first stage. */
export function startRelease(release: Release, now: Date, leaseSeconds: number): Release {
  const at = now.toISOString();
  return {
    ...release,
    status: 'running',
    stage: STAGES[0],
    stages: { [STAGES[0]]: { status: 'running', startedAt: at, attempts: 0, starts: 0 } },
    leaseExpiresAt: addSeconds(now, leaseSeconds),
    updatedAt: at,
  };
}

export function cancelRelease(release: Release, reason: string, now: Date): Release {
  const at = now.toISOString();
  const current = release.stages[release.stage];
  return {
    ...release,
    status: 'cancelled',
    reason,
    stages: current
      ? { ...release.stages, [release.stage]: { ...current, status: 'failed', endedAt: at, detail: reason } }
      : release.stages,
    leaseExpiresAt: undefined,
    updatedAt: at,
    endedAt: at,
  };
}

/**
 * An invocation takes the current stage: one more start that has not finished yet, and a
 * fresh lease its heartbeat keeps renewing.
 */
export function holdStage(release: Release, holder: string, now: Date, leaseSeconds: number): Release {
  const current: StageRecord = release.stages[release.stage] ?? { status: 'running', attempts: 0 };
  return {
    ...release,
    stages: { ...release.stages, [release.stage]: { ...current, starts: (current.starts ?? 0) + 1, heldBy: holder } },
    leaseExpiresAt: addSeconds(now, leaseSeconds),
  };
}

/** The invocation ended without an outcome to record (it lost a race): the stage is free again. */
export function unholdStage(release: Release): Release {
  const current = release.stages[release.stage];
  return current ? { ...release, stages: { ...release.stages, [release.stage]: { ...current, starts: 0, heldBy: undefined } } } : release;
}

/** Whether `holder` still runs the stage it took (not cancelled, ended, moved on or taken over). */
export function isHeldBy(release: Release, stage: Stage, holder: string): boolean {
  return release.status === 'running' && release.stage === stage && release.stages[stage]?.heldBy === holder;
}

/** Another invocation runs the current stage and keeps its lease fresh. */
export function isHeldByAnother(release: Release, holder: string, now: Date): boolean {
  const heldBy = release.stages[release.stage]?.heldBy;
  return !!heldBy && heldBy !== holder && !isLeaseExpired(release, now);
}

/**
 * The sweeper re-drives a stage whose lease expired: whoever held it is presumed dead
 * (its start stays counted, so a stage that keeps killing the host is caught).
 */
export function redriveRelease(release: Release, now: Date, leaseSeconds: number): Release {
  const current = release.stages[release.stage];
  const stages = current ? { ...release.stages, [release.stage]: { ...current, heldBy: undefined } } : release.stages;
  return { ...release, stages, leaseExpiresAt: addSeconds(now, leaseSeconds) };
}

/** Runs of a stage begun and never finished before a run is refused: the host crashed in each. */
export const MAX_UNFINISHED_STARTS = 2;

export function isLeaseExpired(release: Release, now: Date): boolean {
  return release.status === 'running' && !!release.leaseExpiresAt && release.leaseExpiresAt < now.toISOString();
}

export function addSeconds(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString();
}
