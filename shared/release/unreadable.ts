import type { z } from 'zod';
import { AutopilotError } from '../errors';

/** What the API and the sweeper report about a stored release that does not parse. */
export interface UnreadableRecord {
  id: string;
  /** The pipeline the raw record names, when it names one. */
  pipeline?: string;
  /** The schema's first complaints, e.g. "metrics.candidate.accuracy: expected number, received null". */
  error: string;
  /** The command that ends it (see docs/operations.md, "Unreadable release records"). */
  repair: string;
}

export const repairCommand = (id: string) => `autopilot repair ${id}`;

/**
 * A stored release record that no longer matches the schema (written by an older version,
 * or by a bug). Not retryable: reading it again gives the same answer until it is repaired.
 */
export class UnreadableRecordError extends AutopilotError {
  constructor(
    readonly id: string,
    readonly problem: string,
  ) {
    super(
      `release record '${id}' cannot be read (${problem}); run \`${repairCommand(id)}\` to end it as failed, keeping what still parses`,
    );
  }
}

/** A record the repository refused to write because it would not read back. */
export class InvalidRecordError extends AutopilotError {
  constructor(
    readonly id: string,
    readonly problem: string,
  ) {
    super(`release record '${id}' was not written: it would not read back (${problem}); this is a bug, please report it`);
  }
}

/** The first few issues of a zod error on one line, with their paths. */
export function describeIssues(error: z.ZodError, max = 3): string {
  const shown = error.issues
    .slice(0, max)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message.replace(/^Invalid input: /, '')}`);
  const more = error.issues.length > max ? `; and ${error.issues.length - max} more` : '';
  return shown.join('; ') + more;
}

/** Fields of a raw record worth showing before it parses. */
export function rawField(raw: unknown, field: string): string | undefined {
  const value = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' && value ? value : undefined;
}
