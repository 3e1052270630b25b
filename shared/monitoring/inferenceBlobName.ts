import { BadRequestError } from '../errors';

/** Endpoint and deployment names become blob path segments: no '/', no '..', nothing odd. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

/** Listing more prefixes than this would cost more round trips than a coarser listing plus filtering. */
const MAX_PREFIXES = 48;

function requireSegment(kind: string, value: string): string {
  if (!SEGMENT.test(value) || value.includes('..')) {
    throw new BadRequestError(
      `invalid ${kind} name ${JSON.stringify(value)} for an inference data blob: use letters, digits, dots, dashes or underscores`,
      kind,
    );
  }
  return value;
}

const two = (n: number) => String(n).padStart(2, '0');

/** `<yyyy>/<mm>/<dd>/<hh>` of a time, in UTC. */
export function hourPartition(time: Date): string {
  return `${time.getUTCFullYear()}/${two(time.getUTCMonth() + 1)}/${two(time.getUTCDate())}/${two(time.getUTCHours())}`;
}

/** `2025-01-02T03:04:05.678Z` as `20250102T030405678Z`: sortable and free of characters blob tools dislike. */
export function compactIso(time: Date): string {
  return time.toISOString().replace(/[-:.]/g, '');
}

/**
 * Where a batch of one deployment's records goes in the `inference-data` container:
 * `<endpoint>/<yyyy>/<mm>/<dd>/<hh>/<deployment>-<compact time>-<seq>.jsonl`, partitioned
 * by the records' time (UTC). `seq` keeps batches of the same millisecond apart.
 */
export function inferenceBlobName(endpoint: string, deployment: string, time: Date, seq: number): string {
  return `${requireSegment('endpoint', endpoint)}/${hourPartition(time)}/${requireSegment('deployment', deployment)}-${compactIso(time)}-${String(seq).padStart(6, '0')}.jsonl`;
}

const BLOB_NAME = /^([^/]+)\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/([^/]+)\.jsonl$/;

/**
 * Whether `name` has the shape inferenceBlobName gives (`<endpoint>/<yyyy>/<mm>/<dd>/<hh>/<file>.jsonl`,
 * each segment plain): names derived from it (e.g. stored summaries) stay inside their folder.
 */
export function isInferenceBlobName(name: string): boolean {
  const parts = BLOB_NAME.exec(name);
  return !!parts && [parts[1]!, parts[2]!].every((segment) => SEGMENT.test(segment) && !segment.includes('..'));
}

type Granularity = 'hour' | 'day' | 'month' | 'year';

/** The starts of the UTC hours overlapping [from, to). */
export function hourStarts(from: Date, to: Date): Date[] {
  const hours: Date[] = [];
  for (const cursor = truncate(from, 'hour'); cursor.getTime() < to.getTime(); advance(cursor, 'hour'))
    hours.push(new Date(cursor.getTime()));
  return hours;
}

/**
 * The listing prefixes that cover every partition of `endpoint` holding times in
 * [from, to): per hour for short ranges, per day, month or year for longer ones (at most
 * MAX_PREFIXES listings; records outside the range are filtered by the reader).
 */
export function inferencePrefixes(endpoint: string, from: Date, to: Date): string[] {
  requireSegment('endpoint', endpoint);
  if (!(to.getTime() > from.getTime())) return [];
  for (const granularity of ['hour', 'day', 'month', 'year'] as const) {
    const prefixes = partitionsBetween(from, to, granularity, MAX_PREFIXES);
    if (prefixes) return prefixes.map((p) => `${endpoint}/${p}/`);
  }
  // Over MAX_PREFIXES years: one listing of the whole endpoint.
  return [`${endpoint}/`];
}

function partitionsBetween(from: Date, to: Date, granularity: Granularity, max: number): string[] | undefined {
  const parts = { hour: 4, day: 3, month: 2, year: 1 }[granularity];
  const result: string[] = [];
  const cursor = truncate(from, granularity);
  while (cursor.getTime() < to.getTime()) {
    if (result.length === max) return undefined;
    result.push(hourPartition(cursor).split('/').slice(0, parts).join('/'));
    advance(cursor, granularity);
  }
  return result;
}

function truncate(time: Date, granularity: Granularity): Date {
  const t = new Date(time.getTime());
  if (granularity === 'year') t.setUTCMonth(0, 1);
  if (granularity === 'year' || granularity === 'month') t.setUTCDate(1);
  if (granularity !== 'hour') t.setUTCHours(0, 0, 0, 0);
  else t.setUTCMinutes(0, 0, 0);
  return t;
}

function advance(t: Date, granularity: Granularity): void {
  if (granularity === 'hour') t.setUTCHours(t.getUTCHours() + 1);
  else if (granularity === 'day') t.setUTCDate(t.getUTCDate() + 1);
  else if (granularity === 'month') t.setUTCMonth(t.getUTCMonth() + 1);
  else t.setUTCFullYear(t.getUTCFullYear() + 1);
}
