import { endpointName } from '../config/schema';
import { BadRequestError, NotFoundError } from '../errors';
import { DEFAULT_ENGINE_OPTIONS, type EngineDeps, type RolesIn } from './context';
import type { EngineRecords } from './engineRecords';
import { releaseEvent } from './releaseEvents';
import { applyOutcome } from './transitions';
import { stepOf, withOutbox } from './outbox';
import { isTerminal, type Release } from './types';

export interface PipelineRollback {
  endpoint: string;
  from: string;
  to: string;
  releaseId?: string;
}

/**
 * What people (API, CLI) and alerts do to releases: approve, promote, roll back, cancel,
 * nudge. Every action is audited with who did it and why.
 */
export class ReleaseControl {
  constructor(
    private readonly deps: EngineDeps,
    private readonly engine: EngineRecords,
  ) {}

  /** Re-sends the release's current stage now (e.g. a job event arrived before the next poll). */
  async nudge(id: string): Promise<void> {
    const release = (await this.engine.repo.get(id))?.value;
    if (!release || release.status !== 'running') return;
    await this.deps.steps.send({ releaseId: id, pipeline: release.pipeline, stage: release.stage, reason: 'poll' });
  }

  async approve(id: string, by: string, why = 'approved for prod'): Promise<Release> {
    const now = this.deps.clock.now().toISOString();
    const current = await this.get(id);
    if (current.status !== 'running' || current.stage !== 'approval' || !current.approval) {
      throw new BadRequestError(`release ${id} is not waiting for approval (it is ${current.status} at ${current.stage})`, 'id');
    }
    const updated = await this.engine.commit(
      id,
      (r) =>
        r.stage === 'approval' && r.status === 'running' && r.approval
          ? withOutbox(
              { ...r, approval: { ...r.approval, by, at: now }, updatedAt: now },
              {
                audit: [
                  {
                    at: now,
                    releaseId: id,
                    pipeline: r.pipeline,
                    actor: by,
                    action: 'approve',
                    why,
                    from: { status: r.status, stage: r.stage },
                    to: { status: r.status, stage: r.stage },
                  },
                ],
                // Runs the stage now rather than at its next poll.
                steps: [{ message: stepOf(r, 'poll') }],
              },
            )
          : undefined,
      { deferFlush: true },
    );
    if (!updated) throw new BadRequestError(`release ${id} is no longer waiting for approval`, 'id');
    return updated;
  }

  /** Skips the remaining canary steps: the candidate takes all traffic at the next look. */
  async promote(id: string, by: string, why = 'manual promotion'): Promise<Release> {
    const now = this.deps.clock.now().toISOString();
    const current = await this.get(id);
    if (current.status !== 'running' || current.stage !== 'canary' || !current.canary) {
      throw new BadRequestError(`release ${id} has no canary to promote (it is ${current.status} at ${current.stage})`, 'id');
    }
    const updated = await this.engine.commit(
      id,
      (r) =>
        r.stage === 'canary' && r.status === 'running' && r.canary
          ? withOutbox(
              { ...r, canary: { ...r.canary, promoteNow: { by, at: now } }, updatedAt: now },
              {
                audit: [
                  {
                    at: now,
                    releaseId: id,
                    pipeline: r.pipeline,
                    actor: by,
                    action: 'promote',
                    why: `${why}: remaining canary steps skipped`,
                  },
                ],
                steps: [{ message: stepOf(r, 'poll') }],
              },
            )
          : undefined,
      { deferFlush: true },
    );
    if (!updated) throw new BadRequestError(`release ${id} left the canary stage`, 'id');
    return updated;
  }

  /** Rolls back the canary running on `endpoint`, if any: stable takes 100% at once. */
  async rollbackCanary(endpoint: string, actor: string, why: string): Promise<{ releaseId: string; release: Release } | undefined> {
    const running = await this.engine.repo.list({ status: 'running' });
    const release = running.find((r) => r.stage === 'canary' && r.deployments.prod?.endpoint === endpoint);
    if (!release) return undefined;
    const rolled = await this.rollbackRelease(release.id, actor, why);
    return rolled ? { releaseId: rolled.id, release: rolled } : undefined;
  }

  async rollbackRelease(id: string, actor: string, why: string): Promise<Release | undefined> {
    const now = this.deps.clock.now();
    await this.get(id);
    // The record is written first, stable restored after (its outbox): a canary step racing
    // with us loses its write and restores stable itself (see stages/canary.ts).
    return this.engine.commit(
      id,
      (r) => {
        if (r.status !== 'running' || r.stage !== 'canary') return undefined;
        const ended = applyOutcome(
          r,
          { kind: 'end', status: 'rolled_back', reason: `rolled back by ${actor}: ${why}` },
          now,
          DEFAULT_ENGINE_OPTIONS.leaseSeconds,
        );
        const rolled: Release = { ...ended, rollback: { at: now.toISOString(), by: actor, why } };
        return withOutbox(rolled, {
          restoreStable: true,
          audit: [
            {
              at: now.toISOString(),
              releaseId: id,
              pipeline: r.pipeline,
              actor,
              action: 'rollback',
              why,
              from: { status: r.status, stage: r.stage },
              to: { status: rolled.status, stage: rolled.stage },
            },
          ],
          events: [releaseEvent('ReleaseRolledBack', rolled, now, { by: actor, why })],
          releaseSlot: true,
        });
      },
      { deferFlush: true },
    );
  }

  /**
   * `autopilot rollback <pipeline>`: rolls back an active canary, or else returns prod to
   * the previous deployment kept warm at 0% (one traffic change).
   */
  async rollbackPipeline(pipeline: string, actor: string, why: string): Promise<PipelineRollback> {
    if (!this.deps.config.pipelines[pipeline]) throw new NotFoundError('pipeline', pipeline);
    const name = endpointName(pipeline, 'prod');
    const prod = this.deps.workspaces.prod.endpoints;
    const endpoint = await prod.getEndpoint(name);
    if (!endpoint) throw new BadRequestError(`${name} does not exist; nothing to roll back`, 'pipeline');
    const [current] = Object.entries(endpoint.traffic).sort((a, b) => b[1] - a[1]);
    const canary = await this.rollbackCanary(name, actor, why);
    if (canary) {
      const after = canary.release;
      return {
        endpoint: name,
        from: after.deployments.prod!.deployment,
        to: after.canary?.stable ?? '(none)',
        releaseId: canary.releaseId,
      };
    }
    const previous = endpoint.deployments
      .filter((d) => d.name !== current?.[0] && d.state === 'succeeded')
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    if (!current || !previous) {
      throw new BadRequestError(`${name} keeps no previous deployment warm (rollout.retainPrevious); nothing to roll back to`, 'pipeline');
    }
    await prod.setTraffic(name, { [previous.name]: 100, [current[0]]: 0 });
    const now = this.deps.clock.now();
    const releases = await this.engine.repo.list({ pipeline, status: 'succeeded' });
    const owner = releases.find((r) => r.deployments.prod?.deployment === current[0]);
    const at = now.toISOString();
    const what = `${why} (${name}: ${current[0]} -> ${previous.name})`;
    // The release that owned the deployment records the rollback, its audit entry and event in its outbox.
    const recorded =
      owner &&
      (await this.engine.commit(
        owner.id,
        (r) => {
          if (r.status !== 'succeeded') return undefined;
          const rolled: Release = {
            ...r,
            status: 'rolled_back',
            reason: `rolled back by ${actor}: ${why}`,
            rollback: { at, by: actor, why },
            updatedAt: at,
          };
          return withOutbox(rolled, {
            audit: [{ at, releaseId: r.id, pipeline, actor, action: 'rollback', why: what }],
            events: [releaseEvent('ReleaseRolledBack', rolled, now, { by: actor, why })],
          });
        },
        { deferFlush: true },
      ));
    // Audited even when no release owns the deployment (it was deployed by hand, or before
    // the autopilot): the traffic of prod changed, and the log must say who and why.
    if (!recorded)
      await this.engine.repo.audit({ at, pipeline, ...(owner ? { releaseId: owner.id } : {}), actor, action: 'rollback', why: what });
    return { endpoint: name, from: current[0], to: previous.name, releaseId: owner?.id };
  }

  /** Cancels a release; a canary in progress gives its traffic back to stable first. */
  async cancel(id: string, actor: string, why: string): Promise<Release> {
    const current = await this.get(id);
    if (isTerminal(current.status)) throw new BadRequestError(`release ${id} already ended (${current.status})`, 'id');
    const cancelled = await this.engine.cancel(id, actor, why, { restoreStable: current.stage === 'canary' });
    return cancelled ?? (await this.get(id));
  }

  /** The release, or NotFoundError saying where to list them. */
  async get(id: string): Promise<Release> {
    const release = (await this.engine.repo.get(id))?.value;
    if (!release) throw new NotFoundError('release', id, 'List releases with GET /api/releases');
    return release;
  }
}

/** What restoreStable uses: prod's endpoints and synthetic load. */
export type RestoreStableDeps = { workspaces: RolesIn<{ prod: 'endpoints' | 'load' }> };

/**
 * Gives prod back to the stable deployment, stops synthetic load of the release and
 * removes the candidate's deployment, so nothing is left half-deployed (and a later
 * pipeline rollback can never pick the rejected candidate as "previous").
 */
export async function restoreStable(deps: RestoreStableDeps, release: Release): Promise<void> {
  const target = release.deployments.prod;
  const prod = deps.workspaces.prod.endpoints;
  await deps.workspaces.prod.load.stopLoad(release.id).catch(() => undefined);
  if (!target) return;
  const stable = release.canary?.stable;
  const endpoint = await prod.getEndpoint(target.endpoint);
  const everyOther = Object.fromEntries((endpoint?.deployments ?? []).map((d) => [d.name, 0]));
  await prod.setTraffic(
    target.endpoint,
    stable ? { ...everyOther, [target.deployment]: 0, [stable]: 100 } : { ...everyOther, [target.deployment]: 0 },
  );
  if (stable) await prod.deleteDeployment(target.endpoint, target.deployment).catch(() => undefined);
}
