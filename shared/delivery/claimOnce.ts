import { AlreadyExistsError, ConcurrencyError } from '../errors';
import type { StateTable } from '../ports';

/** A row that records one delivery: `pending` while acted on, `failed` when that failed. */
export interface DeliveryRecord {
  receivedAt: string;
  outcome: string;
}

export type Claim<T> = { kind: 'claimed'; record: T; etag: string } | { kind: 'duplicate'; record: T };

/**
 * At-least-once delivery (Event Grid, Azure Monitor webhooks) made effectively-once: the
 * first delivery inserts the row and acts; a redelivery finds the row and does nothing.
 * A row left `failed`, or `pending` for longer than `abandonAfterSeconds` (the worker
 * died while acting), is taken over, so the sender's retry acts again and nothing is lost.
 */
export async function claimOnce<T extends DeliveryRecord>(
  table: StateTable,
  partition: string,
  row: string,
  fresh: T,
  abandonAfterSeconds: number,
): Promise<Claim<T>> {
  for (;;) {
    try {
      const inserted = await table.insert<T>(partition, row, fresh);
      return { kind: 'claimed', record: fresh, etag: inserted.etag };
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
    }
    const existing = await table.get<T>(partition, row);
    if (!existing) continue; // deleted meanwhile
    const age = (Date.parse(fresh.receivedAt) - Date.parse(existing.value.receivedAt)) / 1000;
    const abandoned = existing.value.outcome === 'failed' || (existing.value.outcome === 'pending' && age > abandonAfterSeconds);
    if (!abandoned) return { kind: 'duplicate', record: existing.value };
    try {
      const taken = await table.replace<T>(partition, row, fresh, existing.etag);
      return { kind: 'claimed', record: fresh, etag: taken.etag };
    } catch (error) {
      if (error instanceof ConcurrencyError) return { kind: 'duplicate', record: existing.value };
      throw error;
    }
  }
}

/** Marks a claimed delivery failed (best effort: the error that got us here matters more). */
export async function releaseClaim<T extends DeliveryRecord>(
  table: StateTable,
  partition: string,
  row: string,
  claim: { record: T; etag: string },
  reason: string,
): Promise<void> {
  await table.replace<T>(partition, row, { ...claim.record, outcome: 'failed', reason }, claim.etag).catch(() => undefined);
}
