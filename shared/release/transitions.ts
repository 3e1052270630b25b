import type { StageOutcome } from './context';
import { STAGES, type Release, type Stage } from './types';

/**
 * The pure state machine: given a release at a stage and what the stage handler
 * decided, the next release record. No I/O, so every rule here is unit-tested.
 */
export function applyOutcome(release: Release, outcome: StageOutcome, now: Date, leaseSeconds: number): Release {
  const at = now.toISOString();
  const stage = release.stage;
  const current = release.stages[stage] ?? { status: 'running' as const, attempts: 0 };
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
        stages: { ...release.stages, [stage]: { ...current, status: 'failed', endedAt: at, detail: outcome.reason } },
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
        stages: { ...release.stages, [stage]: done, [next]: { status: 'running', startedAt: at, attempts: 0 } },
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
    stages: { [STAGES[0]]: { status: 'running', startedAt: at, attempts: 0 } },
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
    stages: current ? { ...release.stages, [release.stage]: { ...current, status: 'failed', endedAt: at, detail: reason } } : release.stages,
    leaseExpiresAt: undefined,
    updatedAt: at,
    endedAt: at,
  };
}

export function isLeaseExpired(release: Release, now: Date): boolean {
  return release.status === 'running' && !!release.leaseExpiresAt && release.leaseExpiresAt < now.toISOString();
}

export function addSeconds(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString();
}
