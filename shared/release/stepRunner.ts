import { ensureError, isRetryable, StillProvisioningError } from '../errors';
import { DEFAULT_ENGINE_OPTIONS, type EngineDeps, type StageContext, type StageOutcome } from './context';
import type { ReleaseEngine } from './engine';
import { releaseEvent, terminalEventName } from './releaseEvents';
import { STAGE_HANDLERS } from './stages';
import { applyOutcome } from './transitions';
import { isTerminal, type Release, type StepMessage } from './types';

/**
 * Drives one stage of one release per queue message. Safe under at-least-once
 * delivery: a message for a stage the release has left, or for an ended release, is a
 * no-op; handlers are idempotent; the write is ETag-guarded, so of two concurrent
 * deliveries only one advances the release.
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
    const row = await this.engine.repo.get(message.releaseId);
    if (!row) {
      this.deps.logger.warn('step for an unknown release ignored', { ...message });
      return undefined;
    }
    const release = row.value;
    if (release.status !== 'running' || release.stage !== message.stage) return release;
    const pipeline = this.deps.config.pipelines[release.pipeline];
    let outcome: StageOutcome;
    let attempts = release.stages[release.stage]?.attempts ?? 0;
    if (!pipeline) {
      outcome = { kind: 'end', status: 'failed', reason: `pipeline '${release.pipeline}' is no longer in autopilot.yaml` };
    } else {
      const ctx: StageContext = { ...this.deps, pipeline, settings: this.settings };
      try {
        outcome = await STAGE_HANDLERS[release.stage](release, ctx);
      } catch (thrown) {
        const error = ensureError(thrown);
        if (error instanceof StillProvisioningError) {
          outcome = this.waitForProvisioning(release, error);
        } else {
          attempts += 1;
          this.deps.logger.warn(`stage ${release.stage} of ${release.id} threw`, { error: error.message, attempts });
          outcome =
            isRetryable(error) && attempts < this.settings.maxStageAttempts
              ? { kind: 'wait', delaySeconds: 2 ** attempts, detail: `attempt ${attempts} failed (${error.message}); retrying` }
              : { kind: 'end', status: 'failed', reason: `${release.stage} failed: ${error.message}` };
        }
      }
    }
    const now = this.deps.clock.now();
    let next = applyOutcome(release, outcome, now, this.settings.leaseSeconds);
    const stageRecord = next.stages[release.stage];
    if (stageRecord && attempts !== stageRecord.attempts) {
      next = { ...next, stages: { ...next.stages, [release.stage]: { ...stageRecord, attempts } } };
    }
    // A ConcurrencyError here propagates: the queue redelivers and the re-read decides.
    const written = (await this.engine.repo.replace(next, row.etag)).value;
    await this.afterWrite(release, written, outcome, now);
    return written;
  }

  /** Waits for a resource being provisioned, but not for ever: the stage's start bounds it. */
  private waitForProvisioning(release: Release, error: StillProvisioningError): StageOutcome {
    const startedAt = Date.parse(release.stages[release.stage]?.startedAt ?? '');
    const waited = Number.isNaN(startedAt) ? 0 : (this.deps.clock.now().getTime() - startedAt) / 1000;
    if (waited > this.settings.provisioningTimeoutSeconds) {
      const minutes = Math.round(this.settings.provisioningTimeoutSeconds / 60);
      return { kind: 'end', status: 'failed', reason: `${release.stage} failed: ${error.resource} was still being provisioned after ${minutes} min; see its state in Azure ML studio` };
    }
    return { kind: 'wait', delaySeconds: error.retryAfterSeconds ?? this.settings.provisioningPollSeconds, detail: `${error.resource} is still being provisioned (${Math.round(waited)} s)` };
  }

  private async afterWrite(before: Release, after: Release, outcome: StageOutcome, now: Date): Promise<void> {
    const { steps, events, logger } = this.deps;
    if (outcome.kind === 'wait') {
      await steps.send({ releaseId: after.id, pipeline: after.pipeline, stage: after.stage, reason: 'poll' }, { delaySeconds: outcome.delaySeconds });
      return;
    }
    await this.engine.repo.audit({
      at: now.toISOString(),
      releaseId: after.id,
      actor: 'autopilot',
      action: outcome.kind === 'advance' ? `complete ${before.stage}` : `end at ${before.stage}`,
      from: { status: before.status, stage: before.stage },
      to: { status: after.status, stage: after.stage },
      why: outcome.kind === 'end' ? outcome.reason : outcome.detail,
    });
    logger.info(`release ${after.id}: ${before.stage} -> ${isTerminal(after.status) ? after.status : after.stage}`, {
      releaseId: after.id,
      pipeline: after.pipeline,
      stage: before.stage,
    });
    const terminal = terminalEventName(after.status);
    await events.publish([
      releaseEvent(terminal ?? 'ReleaseStageCompleted', after, now, terminal ? {} : { completedStage: before.stage }),
    ]);
    if (isTerminal(after.status)) {
      await this.engine.releaseSlot(after.pipeline, after.id);
    } else {
      await steps.send({ releaseId: after.id, pipeline: after.pipeline, stage: after.stage, reason: 'advance' });
    }
  }
}
