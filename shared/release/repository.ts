import { randomUUID } from 'node:crypto';
import type { ZodError } from 'zod';
import { AlreadyExistsError, ConcurrencyError } from '../errors';
import type { Logger, StateTable, Versioned } from '../ports';
import { appendAudit, listAudit, releaseAuditPartition, type AuditPage, type AuditQuery, type NewAuditEntry } from './auditLog';
import { AuditEntry, Release, type ReleaseStatus } from './types';
import { describeIssues, InvalidRecordError, rawField, repairCommand, UnreadableRecordError, type UnreadableRecord } from './unreadable';

/** Which release holds a pipeline, and which wait their turn (concurrency policy `queue`). */
export interface PipelineSlot {
  active?: string;
  waiting: string[];
}

const RELEASES = 'release';
const DEDUPE = 'dedupe';
const SLOTS = 'pipeline';

export interface ReleaseFilter {
  pipeline?: string;
  status?: ReleaseStatus;
  limit?: number;
}

/** A listing: the records that parse, and those that do not (isolated, never fatal). */
export interface ReleaseListing {
  releases: Release[];
  unreadable: UnreadableRecord[];
}

/**
 * Release records, idempotency keys, pipeline slots and the audit log, all in one
 * StateTable with ETag concurrency. Reads are validated: a record that no longer
 * matches the schema is an UnreadableRecordError, not a silent default; a listing skips
 * it and reports it, so one bad record cannot stop the API or the sweeper for everyone.
 * Writes are validated too, so the repository never stores what it could not read back.
 */
export class ReleaseRepository {
  private auditSeq = 0;
  /** Unreadable records already logged (id and etag): once each, not on every sweep. */
  private readonly reported = new Set<string>();
  constructor(
    private readonly table: StateTable,
    private readonly logger?: Logger,
  ) {}

  async get(id: string): Promise<Versioned<Release> | undefined> {
    const row = await this.table.get<unknown>(RELEASES, id);
    if (!row) return undefined;
    const parsed = Release.safeParse(row.value);
    if (parsed.success) return { value: parsed.data, etag: row.etag };
    throw new UnreadableRecordError(id, this.report(id, row, parsed.error).error);
  }

  /** The stored record as it is, parsed or not (for `repair`). */
  getRaw(id: string): Promise<Versioned<unknown> | undefined> {
    return this.table.get<unknown>(RELEASES, id);
  }

  /** Inserts, or returns the existing record when the id is taken (idempotent create). */
  async insert(release: Release): Promise<{ created: boolean; row: Versioned<Release> }> {
    try {
      return { created: true, row: await this.table.insert(RELEASES, release.id, checkWritable(this.keyOutbox(release))) };
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
      const existing = await this.get(release.id);
      if (!existing) throw error;
      return { created: false, row: existing };
    }
  }

  async replace(release: Release, etag: string): Promise<Versioned<Release>> {
    return this.table.replace(RELEASES, release.id, checkWritable(this.keyOutbox(release)), etag);
  }

  /** Gives the outbox's new audit entries their row keys (see `audit`) before they are stored. */
  private keyOutbox(release: Release): Release {
    const outbox = release.outbox;
    if (!outbox?.audit.some((a) => a.key === undefined)) return release;
    const audit = outbox.audit.map((a) => (a.key === undefined ? { ...a, key: `${this.nextSequence()}-${randomUUID().slice(0, 8)}` } : a));
    return { ...release, outbox: { ...outbox, audit } };
  }

  private nextSequence(): string {
    return String(this.auditSeq++ % 1e6).padStart(6, '0');
  }

  /** Newest first; records that do not parse are left out (see scan). */
  async list(filter: ReleaseFilter = {}): Promise<Release[]> {
    return (await this.scan(filter)).releases;
  }

  /**
   * Newest first, with the records that do not parse reported apart (each logged once).
   * An unreadable record is reported when the pipeline it names matches the filter, or it
   * names none; its status is not trusted, so the status filter does not hide it.
   */
  async scan(filter: ReleaseFilter = {}): Promise<ReleaseListing> {
    const releases: Release[] = [];
    const unreadable: UnreadableRecord[] = [];
    for (const row of await this.table.list<unknown>(RELEASES)) {
      const parsed = Release.safeParse(row.value);
      if (parsed.success) releases.push(parsed.data);
      else {
        const bad = this.report(rawField(row.value, 'id') ?? `(no id, etag ${row.etag})`, row, parsed.error);
        if (!filter.pipeline || !bad.pipeline || bad.pipeline === filter.pipeline) unreadable.push(bad);
      }
    }
    return {
      releases: releases
        .filter((r) => (!filter.pipeline || r.pipeline === filter.pipeline) && (!filter.status || r.status === filter.status))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
        .slice(0, filter.limit ?? Number.MAX_SAFE_INTEGER),
      unreadable,
    };
  }

  private report(id: string, row: Versioned<unknown>, error: ZodError): UnreadableRecord {
    const bad: UnreadableRecord = {
      id,
      pipeline: rawField(row.value, 'pipeline'),
      error: describeIssues(error),
      repair: repairCommand(id),
    };
    const key = `${id}@${row.etag}`;
    if (!this.reported.has(key)) {
      this.reported.add(key);
      this.logger?.error(`release record ${id} cannot be read and is skipped until repaired: ${bad.error}`, {
        releaseId: id,
        pipeline: bad.pipeline,
        repair: bad.repair,
      });
    }
    return bad;
  }

  /**
   * Claims an idempotency key for a release id. Returns the id that owns the key:
   * the given one when this call claimed it, an earlier one for a duplicate.
   */
  async claim(key: string, releaseId: string): Promise<string> {
    try {
      await this.table.insert(DEDUPE, key, { releaseId });
      return releaseId;
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
      const existing = await this.table.get<{ releaseId: string }>(DEDUPE, key);
      return existing?.value.releaseId ?? releaseId;
    }
  }

  /** Read-modify-write of a pipeline slot, retried on ETag conflicts. */
  async updateSlot<T>(pipeline: string, change: (slot: PipelineSlot) => { slot: PipelineSlot; result: T }): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const row = await this.table.get<PipelineSlot>(SLOTS, pipeline);
      const current: PipelineSlot = row ? { ...row.value, waiting: [...row.value.waiting] } : { waiting: [] };
      const { slot, result } = change(current);
      try {
        if (row) await this.table.replace(SLOTS, pipeline, slot, row.etag);
        else await this.table.insert(SLOTS, pipeline, slot);
        return result;
      } catch (error) {
        const conflict = error instanceof ConcurrencyError || error instanceof AlreadyExistsError;
        if (!conflict || attempt >= 20) throw error;
      }
    }
  }

  async slot(pipeline: string): Promise<PipelineSlot> {
    return (await this.table.get<PipelineSlot>(SLOTS, pipeline))?.value ?? { waiting: [] };
  }

  /**
   * Appends to the audit log (see auditLog.ts): insert only, no update or delete path. With
   * `key` (fixed when an outbox was stored) the row key is fixed too, so writing the same
   * entry again (a repeated outbox flush) stores it once, and a flush that died between the
   * release's log and the day's completes the day's.
   */
  async audit(entry: NewAuditEntry, key?: string): Promise<void> {
    if (key !== undefined) return appendAudit(this.table, entry, () => `${entry.at}-${key}`, { once: true });
    // Row keys sort by time; the sequence keeps entries of the same millisecond apart.
    await appendAudit(this.table, entry, () => `${entry.at}-${this.nextSequence()}`);
  }

  async auditLog(releaseId: string): Promise<AuditEntry[]> {
    const rows = await this.table.list<unknown>(releaseAuditPartition(releaseId));
    return rows.map((r) => AuditEntry.parse(r.value));
  }

  /** The log across releases in a time range (the day index). */
  listAudit(query: AuditQuery): Promise<AuditPage> {
    return listAudit(this.table, query);
  }
}

/** Refuses a record that would not read back (NaN becomes null in JSON, for one). */
function checkWritable(release: Release): Release {
  const parsed = Release.safeParse(JSON.parse(JSON.stringify(release)));
  if (!parsed.success) throw new InvalidRecordError(release.id, describeIssues(parsed.error));
  return release;
}
