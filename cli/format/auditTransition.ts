import type { AuditEntry } from '../../shared/release/types';

/** "running/canary → rolled_back/canary", or "" for an entry that changed no status. */
export function formatAuditTransition(entry: Pick<AuditEntry, 'from' | 'to'>): string {
  if (!entry.to) return '';
  return `${entry.from ? `${entry.from.status}/${entry.from.stage} → ` : ''}${entry.to.status}/${entry.to.stage}`;
}
