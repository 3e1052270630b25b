import { createHash } from 'node:crypto';
import { pipelineForBlob } from '../config/schema';
import { BadRequestError, ConcurrencyError, ensureError, NotFoundError } from '../errors';
import type { DataArrival } from '../events/blobCreated';
import { checkBlobName } from '../events/blobName';
import { normalizeETag } from '../events/eTag';
import type { BlobInfo, Versioned } from '../ports';
import { DEFAULT_ENGINE_OPTIONS, type EngineDeps } from './context';
import type { EngineRecords } from './engineRecords';
import { ReleaseRepository } from './repository';
import { cancelRelease, startRelease } from './transitions';
import { sweepReleases, type SweepResult } from './sweep';
import { isTerminal, STAGES, type DataLineage, type Release, type StepMessage, type Trigger } from './types';
import { releaseEvent } from './releaseEvents';
import { stepOf, withOutbox } from './outbox';
import { flushOutbox } from './outboxFlush';
import { UnreadableRecordError } from './unreadable';

export type ArrivalResult = { kind: 'created' | 'duplicate'; release: Release } | { kind: 'ignored'; reason: string };

export interface ManualStart {
  pipeline: string;
  /** Blob name under the pipeline's container; the newest blob under its prefix when left out. */
  blob?: string;
  by: string;
  /** Makes a retried request return the same release. */
  requestId: string;
  note?: string;
}

/**
 * Creates releases idempotently and moves them through their pipeline's slot
 * (concurrency policy). Stage execution lives in StepRunner.
 */
export class ReleaseEngine implements EngineRecords {
  readonly repo: ReleaseRepository;
  private readonly settings: typeof DEFAULT_ENGINE_OPTIONS;

  constructor(private readonly deps: EngineDeps) {
    this.repo = new ReleaseRepository(deps.table, deps.logger);
    this.settings = { ...DEFAULT_ENGINE_OPTIONS, ...deps.options };
  }

  /**
   * Blob names from outside are checked before they are matched to a pipeline (here, in
   * startManual and startFromBlob): a name URLs would resolve differently is refused with a
   * BadRequestError, so the blob matched is always the blob read.
   */
  async onDataArrival(arrival: DataArrival): Promise<ArrivalResult> {
    checkBlobName(arrival.blobName, 'blobName');
    const pipeline = pipelineForBlob(this.deps.config, arrival.container, arrival.blobName);
    if (!pipeline) {
      return { kind: 'ignored', reason: `no pipeline watches ${arrival.container}/${arrival.blobName}` };
    }
    const data: DataLineage = {
      container: arrival.container,
      blob: arrival.blobName,
      url: arrival.url,
      eTag: arrival.eTag,
      contentLength: arrival.contentLength,
    };
    // The blob's eTag identifies its content version: a redelivered event, or a
    // reconciliation that sees the same write, maps to the same release.
    const key = `blob|${pipeline}|${arrival.container}|${arrival.blobName}|${arrival.eTag}`;
    return this.create(pipeline, key, { kind: 'blob', eventId: arrival.eventId }, data);
  }

  async startManual(request: ManualStart): Promise<ArrivalResult> {
    const policy = this.deps.config.pipelines[request.pipeline];
    if (!policy) {
      throw new NotFoundError('pipeline', request.pipeline, `Known pipelines: ${Object.keys(this.deps.config.pipelines).join(', ')}`);
    }
    const { container, prefix } = policy.data;
    let info: BlobInfo | undefined;
    if (request.blob) {
      checkBlobName(request.blob, 'blob');
      if (!request.blob.startsWith(prefix)) {
        throw new BadRequestError(`blob must be under the pipeline's prefix '${prefix}'`, 'blob');
      }
      info = await this.deps.data.getInfo({ container, name: request.blob });
      if (!info) throw new NotFoundError('blob', `${container}/${request.blob}`, 'Upload it first');
    } else {
      const blobs = await this.deps.data.list(container, prefix);
      info = blobs.sort((a, b) => (a.lastModified ?? '').localeCompare(b.lastModified ?? '') || a.name.localeCompare(b.name)).at(-1);
      if (!info) throw new BadRequestError(`no data under ${container}/${prefix}; upload a CSV first`, 'blob');
    }
    const data: DataLineage = {
      container,
      blob: info.name,
      url: info.url,
      eTag: normalizeETag(info.eTag),
      contentLength: info.contentLength,
    };
    const trigger: Trigger = { kind: 'manual', eventId: request.requestId, by: request.by, note: request.note };
    return this.create(request.pipeline, `manual|${request.requestId}`, trigger, data);
  }

  /** A release on any blob (e.g. a retraining set the monitor assembled); `key` makes it idempotent. */
  async startFromBlob(pipeline: string, info: BlobInfo, trigger: Trigger, key: string): Promise<ArrivalResult> {
    if (!this.deps.config.pipelines[pipeline]) throw new NotFoundError('pipeline', pipeline);
    checkBlobName(info.name, 'blob');
    const data: DataLineage = {
      container: info.container,
      blob: info.name,
      url: info.url,
      eTag: normalizeETag(info.eTag),
      contentLength: info.contentLength,
    };
    return this.create(pipeline, key, trigger, data);
  }

  private async create(pipeline: string, key: string, trigger: Trigger, data: DataLineage): Promise<ArrivalResult> {
    const now = this.deps.clock.now();
    const keyHash = createHash('sha256').update(key).digest('hex');
    const proposed = `${pipeline}-${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${keyHash.slice(0, 6)}`;
    const id = await this.repo.claim(keyHash, proposed);
    const at = now.toISOString();
    const fresh: Release = {
      id,
      pipeline,
      status: 'queued',
      stage: STAGES[0],
      trigger,
      data,
      metrics: {},
      deployments: {},
      stages: {},
      createdAt: at,
      updatedAt: at,
    };
    const { created, row } = await this.repo.insert(
      withOutbox(fresh, {
        audit: [{ at, releaseId: id, pipeline, actor: trigger.by ?? 'autopilot', action: 'create', why: describe(trigger, data) }],
        events: [releaseEvent('ReleaseQueued', fresh, now)],
      }),
    );
    // Also finishes a duplicate's outbox, left pending when the first delivery failed after its insert.
    await this.flush(row);
    await this.admit(row.value);
    const latest = (await this.repo.get(id))?.value ?? row.value;
    return { kind: created ? 'created' : 'duplicate', release: latest };
  }

  /** Puts a queued release into its pipeline's slot, or in line behind the active one. Idempotent. */
  async admit(release: Release): Promise<void> {
    if (release.status !== 'queued') return;
    const policy = this.deps.config.pipelines[release.pipeline]?.concurrency ?? 'queue';
    await this.healSlot(release.pipeline);
    const { start, superseded, behind } = await this.repo.updateSlot(release.pipeline, (slot) => {
      const none: string[] = [];
      if (slot.active === release.id) return { slot, result: { start: true, superseded: none, behind: undefined } };
      if (slot.waiting.includes(release.id)) return { slot, result: { start: false, superseded: none, behind: slot.active } };
      if (!slot.active) return { slot: { ...slot, active: release.id }, result: { start: true, superseded: none, behind: undefined } };
      if (policy === 'supersede') {
        return {
          slot: { active: release.id, waiting: [] },
          result: { start: true, superseded: [slot.active, ...slot.waiting], behind: undefined },
        };
      }
      return { slot: { ...slot, waiting: [...slot.waiting, release.id] }, result: { start: false, superseded: none, behind: slot.active } };
    });
    for (const old of superseded)
      await this.cancel(old, 'autopilot', `superseded by ${release.id} (concurrency: supersede)`, { freeSlot: false });
    if (start) await this.begin(release.id);
    else if (behind) {
      await this.update(release.id, (r) =>
        r.status === 'queued' ? { ...r, reason: `waiting for ${behind} (concurrency: queue)` } : undefined,
      );
    }
  }

  /** A slot whose active release already ended (a crash between two writes) is freed. */
  private async healSlot(pipeline: string): Promise<void> {
    const slot = await this.repo.slot(pipeline);
    if (!slot.active) return;
    // An unreadable active release keeps its slot until `autopilot repair` ends it (logged once by the repository).
    const active = await this.repo.get(slot.active).catch((error: unknown) => {
      if (error instanceof UnreadableRecordError) return 'unreadable' as const;
      throw error;
    });
    if (active === 'unreadable') return;
    if (!active || isTerminal(active.value.status)) await this.releaseSlot(pipeline, slot.active);
  }

  private async begin(id: string): Promise<void> {
    const now = this.deps.clock.now();
    await this.commit(id, (r) => {
      if (r.status !== 'queued') return undefined;
      const started: Release = { ...startRelease(r, now, this.settings.leaseSeconds), reason: undefined };
      return withOutbox(started, {
        audit: [
          {
            at: now.toISOString(),
            releaseId: id,
            pipeline: r.pipeline,
            actor: 'autopilot',
            action: 'start',
            from: { status: 'queued', stage: STAGES[0] },
            to: { status: 'running', stage: started.stage },
          },
        ],
        steps: [{ message: stepOf(started, 'start') }],
      });
    });
  }

  /** Called when a release ended: frees its slot and starts the next waiting one. */
  async releaseSlot(pipeline: string, id: string): Promise<void> {
    const next = await this.repo.updateSlot(pipeline, (slot) => {
      const waiting = slot.waiting.filter((w) => w !== id);
      if (slot.active !== id) return { slot: { ...slot, waiting }, result: undefined };
      const [head, ...rest] = waiting;
      return { slot: { active: head, waiting: rest }, result: head };
    });
    if (next) await this.begin(next);
  }

  /**
   * Ends a release as cancelled. `freeSlot: false` when the caller already gave its slot to
   * another; `restoreStable` gives prod back to the stable deployment (default: when the
   * release is in its canary, whoever cancels it, a person or newer data superseding it).
   * The effects are the write's outbox: when one fails, the sweeper finishes them.
   */
  async cancel(
    id: string,
    actor: string,
    why: string,
    options: { freeSlot?: boolean; restoreStable?: boolean } = {},
  ): Promise<Release | undefined> {
    const now = this.deps.clock.now();
    const cancelled = await this.commit(
      id,
      (r) => {
        if (isTerminal(r.status)) return undefined;
        const next = cancelRelease(r, why, now);
        return withOutbox(next, {
          restoreStable: options.restoreStable ?? r.stage === 'canary',
          audit: [
            {
              at: now.toISOString(),
              releaseId: id,
              pipeline: r.pipeline,
              actor,
              action: 'cancel',
              why,
              from: { status: r.status, stage: r.stage },
              to: { status: 'cancelled', stage: next.stage },
            },
          ],
          events: [releaseEvent('ReleaseCancelled', next, now)],
          releaseSlot: options.freeSlot ?? true,
        });
      },
      { deferFlush: true },
    );
    if (cancelled?.job) await this.deps.workspaces.dev.jobs.cancelJob(cancelled.job.name).catch(() => undefined);
    return cancelled;
  }

  /** Finds and finishes work that a crash or a lost message left behind (see sweep.ts). */
  sweep(): Promise<SweepResult> {
    return sweepReleases(this, this.deps, this.settings.leaseSeconds);
  }

  /**
   * Performs the record's outbox and clears it (see outboxFlush.ts); throws when an effect
   * fails. With `defer` the failure is logged and left to the sweeper instead (for people's
   * actions: their change is recorded, so it succeeded). `except`: a step message the caller
   * is handling itself, not sent again.
   */
  async flush(row: Versioned<Release>, options: { defer?: boolean; except?: StepMessage } = {}): Promise<Release> {
    try {
      return await flushOutbox(this, this.deps, row, options.except);
    } catch (error) {
      if (!options.defer) throw error;
      this.deps.logger.warn(
        `release ${row.value.id}: recorded, but its effects failed (${ensureError(error).message}); the sweeper finishes them`,
        { releaseId: row.value.id },
      );
      return row.value;
    }
  }

  /** `update`, then the outbox the change wrote; `deferFlush` as `flush`'s `defer`. */
  async commit(
    id: string,
    change: (release: Release) => Release | undefined,
    options: { deferFlush?: boolean } = {},
  ): Promise<Release | undefined> {
    const row = await this.updateRow(id, change);
    return row && this.flush(row, { defer: options.deferFlush });
  }

  /** Read-modify-write with ETag retries; `change` returns undefined to leave the record alone. */
  async update(id: string, change: (release: Release) => Release | undefined): Promise<Release | undefined> {
    return (await this.updateRow(id, change))?.value;
  }

  private async updateRow(id: string, change: (release: Release) => Release | undefined): Promise<Versioned<Release> | undefined> {
    for (let attempt = 0; ; attempt++) {
      const row = await this.repo.get(id);
      if (!row) return undefined;
      const next = change(row.value);
      if (!next) return undefined;
      try {
        return await this.repo.replace(next, row.etag);
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= 20) throw error;
      }
    }
  }
}

function describe(trigger: Trigger, data: DataLineage): string {
  const source = `${data.container}/${data.blob} (eTag ${data.eTag})`;
  return trigger.kind === 'blob' ? `new data ${source}` : `${trigger.kind} start on ${source}${trigger.note ? `: ${trigger.note}` : ''}`;
}
