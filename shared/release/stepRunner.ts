import { randomUUID } from 'node:crypto';
import { ConcurrencyError, ensureError, isRetryable, StillProvisioningError } from '../errors';
import type { Versioned } from '../ports';
import { DEFAULT_ENGINE_OPTIONS, SYSTEM_TIMERS, type EngineDeps, type StageContext, type StageOutcome } from './context';
import { crashedTwiceReason } from './crashedStage';
import { LeaseHeartbeat } from './leaseHeartbeat';
import type { ReleaseEngine } from './engine';
import { hasOutbox, isSameStep, outcomeOutbox, withOutbox } from './outbox';
import { STAGE_HANDLERS } from './stages';
import { applyOutcome, holdStage, isHeldBy, isHeldByAnother, MAX_UNFINISHED_STARTS, unholdStage } from './transitions';
import { isTerminal, type Release, type StepMessage } from './types';

/**
 * Drives one stage of one release per queue message. Safe under at-least-once
 * delivery: a message for a stage the release has left, for an ended release, or for a
 * stage another invocation is running with a live lease, is a no-op; handlers are
 * idempotent; writes are ETag-guarded, so of two concurrent deliveries only one runs
 * and advances the release. A running stage renews its lease (LeaseHeartbeat) and is
 * told through `ctx.signal` when the release no longer needs it. A stage started twice
 * that never finished (the host died in it) fails the release instead of running again.
 * An outcome is written together with what must follow it (audit entry, events, the next
 * step or freeing the slot: the release's outbox, see outbox.ts), so a failure between the
 * write and those effects is finished by the redelivered message, not lost.
 */
export class StepRunner {
  private readonly settings: typeof DEFAULT_ENGINE_OPTIONS;

  constructor(
    private readonly deps: EngineDeps,
    private readonly engine: ReleaseEngine,
  ) {
    this.settings = { ...DEFAULT_ENGINE_OPTIONS, ...deps.options };
  }

  async run(message: StepMessage): Promise<Release | undefined> {
    const holder = randomUUID();
    let flushed = false;
    for (let attempt = 0; ; attempt++) {
      const row = await this.engine.repo.get(message.releaseId);
      if (!row) {
        this.deps.logger.warn('step for an unknown release ignored', { ...message });
        return undefined;
      }
      const release = row.value;
      if (!flushed && hasOutbox(release)) {
        // A write whose effects did not all happen (this may be its redelivered message), or
        // one whose writer is still clearing it (this is its step message): do them now.
        flushed = true;
        const own = release.outbox.steps.some((s) => isSameStep(s.message, message));
        const after = await this.engine.flush(row, { except: message });
        // Other step messages just sent drive the release on; running it here too would double them.
        if (!own && release.outbox.steps.length > 0) return after;
        continue;
      }
      if (release.status !== 'running' || release.stage !== message.stage) return release;
      const now = this.deps.clock.now();
      const record = release.stages[release.stage];
      if (isHeldByAnother(release, holder, now)) {
        // The run holding it renews its lease; if it dies, the sweeper re-drives the stage.
        this.deps.logger.info(`release ${release.id}: ${release.stage} is running in another invocation; this delivery is a no-op`, {
          ...message,
        });
        return release;
      }
      if ((record?.starts ?? 0) >= MAX_UNFINISHED_STARTS) {
        return this.write(release, row.etag, { kind: 'end', status: 'failed', reason: crashedTwiceReason(release) }, record?.attempts ?? 0);
      }
      let held: Versioned<Release>;
      try {
        // Recorded before the work: a start that never finishes is a host crash.
        held = await this.engine.repo.replace(holdStage(release, holder, now, this.settings.leaseSeconds), row.etag);
      } catch (error) {
        // Another delivery took it first, or the release changed: decide again on a fresh read.
        if (error instanceof ConcurrencyError && attempt < 5) continue;
        throw error;
      }
      return this.runHeld(held, holder);
    }
  }

  /** Runs the stage this invocation holds, its lease kept fresh by a heartbeat. */
  private async runHeld(held: Versioned<Release>, holder: string): Promise<Release> {
    const release = held.value;
    const heartbeat = new LeaseHeartbeat(
      {
        repo: this.engine.repo,
        clock: this.deps.clock,
        timers: this.deps.timers ?? SYSTEM_TIMERS,
        logger: this.deps.logger,
        leaseSeconds: this.settings.leaseSeconds,
      },
      release.stage,
      holder,
      held,
    );
    let settled = false;
    try {
      heartbeat.start();
      const { outcome, attempts } = await this.decide(release, heartbeat.signal);
      await heartbeat.stop();
      // Cancelled, ended or taken over while it ran: there is nothing left to record.
      if (heartbeat.signal.aborted) return ((settled = true), heartbeat.latest.value);
      // Someone else changed the record meanwhile: the redelivered message decides on a fresh read.
      if (heartbeat.foreign) throw new ConcurrencyError(`release ${release.id}`);
      const written = await this.write(release, heartbeat.latest.etag, outcome, attempts);
      settled = true;
      return written;
    } finally {
      await heartbeat.stop();
      // Ended in-process without an outcome: not a crash, and the next delivery may run at once.
      if (!settled) {
        await this.engine
          .update(release.id, (r) => (isHeldBy(r, release.stage, holder) ? unholdStage(r) : undefined))
          .catch((error: unknown) =>
            this.deps.logger.warn(`could not free ${release.stage} of ${release.id}: ${ensureError(error).message}`),
          );
      }
    }
  }

  private async decide(release: Release, signal: AbortSignal): Promise<{ outcome: StageOutcome; attempts: number }> {
    const pipeline = this.deps.config.pipelines[release.pipeline];
    let attempts = release.stages[release.stage]?.attempts ?? 0;
    if (!pipeline)
      return {
        outcome: { kind: 'end', status: 'failed', reason: `pipeline '${release.pipeline}' is no longer in autopilot.yaml` },
        attempts,
      };
    const ctx: StageContext = { ...this.deps, pipeline, settings: this.settings, signal };
    try {
      return { outcome: await STAGE_HANDLERS[release.stage](release, ctx), attempts };
    } catch (thrown) {
      const error = ensureError(thrown);
      if (error instanceof StillProvisioningError) return { outcome: this.waitForProvisioning(release, error), attempts };
      attempts += 1;
      this.deps.logger.warn(`stage ${release.stage} of ${release.id} threw`, { error: error.message, attempts });
      const outcome: StageOutcome =
        isRetryable(error) && attempts < this.settings.maxStageAttempts
          ? { kind: 'wait', delaySeconds: 2 ** attempts, detail: `attempt ${attempts} failed (${error.message}); retrying` }
          : { kind: 'end', status: 'failed', reason: `${release.stage} failed: ${error.message}` };
      return { outcome, attempts };
    }
  }

  /**
   * Records the outcome and, in the same write, what must follow it (the release's outbox),
   * then performs that. ETag-guarded: a ConcurrencyError propagates, the queue redelivers and
   * the re-read decides. A failure after the write propagates too: the redelivered message
   * (or else the sweeper) finds the outbox and finishes it.
   */
  private async write(release: Release, etag: string, outcome: StageOutcome, attempts: number): Promise<Release> {
    const now = this.deps.clock.now();
    let next = applyOutcome(release, outcome, now, this.settings.leaseSeconds);
    const stageRecord = next.stages[release.stage];
    if (stageRecord && attempts !== stageRecord.attempts) {
      next = { ...next, stages: { ...next.stages, [release.stage]: { ...stageRecord, attempts } } };
    }
    const written = await this.engine.repo.replace(withOutbox(next, outcomeOutbox(release, next, outcome, now)), etag);
    if (outcome.kind !== 'wait') {
      const after = written.value;
      this.deps.logger.info(`release ${after.id}: ${release.stage} -> ${isTerminal(after.status) ? after.status : after.stage}`, {
        releaseId: after.id,
        pipeline: after.pipeline,
        stage: release.stage,
      });
    }
    return this.engine.flush(written);
  }

  /** Waits for a resource being provisioned, but not for ever: the stage's start bounds it. */
  private waitForProvisioning(release: Release, error: StillProvisioningError): StageOutcome {
    const startedAt = Date.parse(release.stages[release.stage]?.startedAt ?? '');
    const waited = Number.isNaN(startedAt) ? 0 : (this.deps.clock.now().getTime() - startedAt) / 1000;
    if (waited > this.settings.provisioningTimeoutSeconds) {
      const minutes = Math.round(this.settings.provisioningTimeoutSeconds / 60);
      return {
        kind: 'end',
        status: 'failed',
        reason: `${release.stage} failed: ${error.resource} was still being provisioned after ${minutes} min; see its state in Azure ML studio`,
      };
    }
    return {
      kind: 'wait',
      delaySeconds: error.retryAfterSeconds ?? this.settings.provisioningPollSeconds,
      detail: `${error.resource} is still being provisioned (${Math.round(waited)} s)`,
    };
  }
}
