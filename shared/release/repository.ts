import { AlreadyExistsError, ConcurrencyError } from '../errors';
import type { StateTable, Versioned } from '../ports';
import { AuditEntry, Release, type ReleaseStatus } from './types';

/** Which release holds a pipeline, and which wait their turn (concurrency policy `queue`). */
export interface PipelineSlot {
  active?: string;
  waiting: string[];
}

const RELEASES = 'release';
const DEDUPE = 'dedupe';
const SLOTS = 'pipeline';
const auditPartition = (releaseId: string) => `audit-${releaseId}`;

/**
 * Release records, idempotency keys, pipeline slots and the audit log, all in one
 * StateTable with ETag concurrency. Reads are validated: a record that no longer
 * matches the schema is an error, not a silent default.
 */
export class ReleaseRepository {
  private auditSeq = 0;
  constructor(private readonly table: StateTable) {}

  async get(id: string): Promise<Versioned<Release> | undefined> {
    const row = await this.table.get<unknown>(RELEASES, id);
    return row && { value: Release.parse(row.value), etag: row.etag };
  }

  /** Inserts, or returns the existing record when the id is taken (idempotent create). */
  async insert(release: Release): Promise<{ created: boolean; row: Versioned<Release> }> {
    try {
      return { created: true, row: await this.table.insert(RELEASES, release.id, release) };
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
      const existing = await this.get(release.id);
      if (!existing) throw error;
      return { created: false, row: existing };
    }
  }

  replace(release: Release, etag: string): Promise<Versioned<Release>> {
    return this.table.replace(RELEASES, release.id, release, etag);
  }

  /** Newest first. */
  async list(filter: { pipeline?: string; status?: ReleaseStatus; limit?: number } = {}): Promise<Release[]> {
    const rows = await this.table.list<unknown>(RELEASES);
    return rows
      .map((r) => Release.parse(r.value))
      .filter((r) => (!filter.pipeline || r.pipeline === filter.pipeline) && (!filter.status || r.status === filter.status))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .slice(0, filter.limit ?? Number.MAX_SAFE_INTEGER);
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

  async audit(entry: AuditEntry): Promise<void> {
    // Row keys sort by time; the sequence keeps entries of the same millisecond apart.
    for (let attempt = 0; ; attempt++) {
      const row = `${entry.at}-${String(this.auditSeq++ % 1e6).padStart(6, '0')}`;
      try {
        await this.table.insert(auditPartition(entry.releaseId), row, entry);
        return;
      } catch (error) {
        if (!(error instanceof AlreadyExistsError) || attempt >= 5) throw error;
      }
    }
  }

  async auditLog(releaseId: string): Promise<AuditEntry[]> {
    const rows = await this.table.list<unknown>(auditPartition(releaseId));
    return rows.map((r) => AuditEntry.parse(r.value));
  }
}
