import { AlreadyExistsError, BadRequestError } from '../errors';
import type { StateTable } from '../ports';
import { AuditEntry } from './types';

/**
 * The audit log, append-only. Each entry is written twice, with insert only (a taken row
 * key is an AlreadyExistsError, never an overwrite), and nothing here updates or deletes:
 * - `audit-<releaseId>`: one release's log, for its page and its decision record;
 * - `audit-day-YYYYMMDD` (UTC day of `at`): the log across releases, so a time range costs
 *   one partition query per day instead of a query per release ever made (see docs/cli.md,
 *   "audit", for the figures).
 * The two inserts are not one transaction (Table Storage batches one partition only): a
 * crash between them leaves the entry in the release's log but not in the day's.
 */

/** An entry to append: the pipeline is required from now on, so the log filters by it. */
export type NewAuditEntry = AuditEntry & { pipeline: string };

export const releaseAuditPartition = (releaseId: string) => `audit-${releaseId}`;

/** `audit-day-20261204` for any time on 4 December 2026 (UTC). */
export function auditDayPartition(at: string): string {
  return `audit-day-${at.slice(0, 10).replace(/-/g, '')}`;
}

/** The longest range one query reads: a year of day partitions. */
export const MAX_AUDIT_DAYS = 366;

export interface AuditQuery {
  /** ISO time, inclusive. */
  since: string;
  /** ISO time, inclusive. */
  until: string;
  pipeline?: string;
  releaseId?: string;
  /** At most this many entries, oldest first. */
  limit: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** More entries match past the limit: ask again with `since` just after the last `at`. */
  truncated: boolean;
}

/**
 * Appends one entry to both partitions; `rowKey` makes the row key (it sorts by time). With
 * `once`, the key is fixed (a release outbox's): a taken key means this entry is already stored.
 */
export async function appendAudit(
  table: StateTable,
  entry: NewAuditEntry,
  rowKey: () => string,
  options: { once?: boolean } = {},
): Promise<void> {
  const value = AuditEntry.parse(entry);
  if (value.releaseId) await insertFresh(table, releaseAuditPartition(value.releaseId), value, rowKey, options.once);
  await insertFresh(table, auditDayPartition(value.at), value, rowKey, options.once);
}

async function insertFresh(table: StateTable, partition: string, value: AuditEntry, rowKey: () => string, once = false): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await table.insert(partition, rowKey(), value);
      return;
    } catch (error) {
      if (once && error instanceof AlreadyExistsError) return;
      // Another writer took the key in the same millisecond: a new key, never an overwrite.
      if (!(error instanceof AlreadyExistsError) || attempt >= 5) throw error;
    }
  }
}

/**
 * Entries in [since, until], oldest first. With a release: its own log (which also holds
 * entries written before the day index existed); otherwise the day partitions of the range.
 */
export async function listAudit(table: StateTable, query: AuditQuery): Promise<AuditPage> {
  checkRange(query.since, query.until);
  // One release's log is one partition, whatever the range.
  const days = query.releaseId ? [] : dayPartitions(query.since, query.until);
  const matches = (entry: AuditEntry) =>
    entry.at >= query.since &&
    entry.at <= query.until &&
    (!query.pipeline || entry.pipeline === query.pipeline) &&
    (!query.releaseId || entry.releaseId === query.releaseId);
  const entries: AuditEntry[] = [];
  const partitions = query.releaseId ? [releaseAuditPartition(query.releaseId)] : days;
  for (const partition of partitions) {
    // Row keys start with `at`, so the first day is read from `since` on.
    const fromRow = partition === days[0] || query.releaseId ? query.since : undefined;
    for (const row of await table.list<unknown>(partition, fromRow ? { fromRow } : {})) {
      const entry = AuditEntry.parse(row.value);
      if (entry.at > query.until) break;
      if (!matches(entry)) continue;
      if (entries.length === query.limit) return { entries, truncated: true };
      entries.push(entry);
    }
  }
  return { entries, truncated: false };
}

function checkRange(since: string, until: string): void {
  if (Number.isNaN(Date.parse(since)) || Number.isNaN(Date.parse(until)))
    throw new BadRequestError('since and until must be ISO times', 'since');
  if (Date.parse(until) < Date.parse(since)) throw new BadRequestError(`until (${until}) is before since (${since})`, 'until');
}

function dayPartitions(since: string, until: string): string[] {
  const start = Date.parse(`${since.slice(0, 10)}T00:00:00Z`);
  const end = Date.parse(until);
  const count = Math.floor((end - start) / 86_400_000) + 1;
  if (count > MAX_AUDIT_DAYS)
    throw new BadRequestError(`a range of ${count} days is more than ${MAX_AUDIT_DAYS}; ask for a shorter one`, 'since');
  return Array.from({ length: count }, (_, i) => auditDayPartition(new Date(start + i * 86_400_000).toISOString()));
}
