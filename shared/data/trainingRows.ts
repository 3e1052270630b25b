import { z } from 'zod';
import { featureOrder } from './rowHash';

/**
 * The rows a release trained on, as their hashes (shared/data/rowHash.ts), so a later
 * release can leave them out of its comparison with this release's model (docs/holdout.md).
 *
 * Format: the line `autopilot-training-rows 1`, one JSON line `{"features": [...]}` (the
 * feature columns in the order they were hashed), then 8 bytes per training row, big-endian,
 * in file order. Written as the split streams: memory holds one chunk's hashes; the blob
 * costs 8 bytes per training row (16 MB for 2 million rows). Unsorted, so nothing has to
 * hold the whole set: a reader streams it against the few rows it asks about.
 */
const MAGIC = 'autopilot-training-rows 1';
/** A header longer than this is not ours: the reader stops instead of gathering the blob. */
const MAX_HEADER_BYTES = 4 * 1024 * 1024;

/** Where a release's training-row hashes are (artifacts container). */
export function trainingRowsBlobOf(releaseId: string): string {
  return `releases/${releaseId}/training-rows.bin`;
}

export function trainingRowsHeader(columns: string[], labelIndex: number): string {
  const features = featureOrder(columns, labelIndex).map((i) => columns[i]!);
  return `${MAGIC}\n${JSON.stringify({ features })}\n`;
}

export type TrainingRowsMatch =
  { kind: 'read'; features: string[]; rows: number; found: Set<string> } | { kind: 'unreadable'; why: string };

/**
 * Streams a training-rows blob and tells which of the asked-for hashes it holds. `ask` gets
 * the features the rows were hashed on (from the header) and returns the hashes to look
 * for, or a reason why they cannot be computed (a feature the caller's rows lack).
 */
export async function matchTrainingRows(
  chunks: AsyncIterable<Uint8Array>,
  ask: (features: string[]) => Set<string> | { cannot: string },
): Promise<TrainingRowsMatch> {
  let head = Buffer.alloc(0);
  let wanted: Set<string> | undefined;
  let features: string[] = [];
  let carry = Buffer.alloc(0);
  let rows = 0;
  const found = new Set<string>();
  for await (const chunk of chunks) {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!wanted) {
      head = Buffer.concat([head, bytes]);
      const first = head.indexOf(10);
      const second = first < 0 ? -1 : head.indexOf(10, first + 1);
      if (second < 0) {
        if (head.length > MAX_HEADER_BYTES) return { kind: 'unreadable', why: 'no header' };
        continue;
      }
      const parsed = parseHeader(head.subarray(0, first).toString('utf8'), head.subarray(first + 1, second).toString('utf8'));
      if (typeof parsed === 'string') return { kind: 'unreadable', why: parsed };
      features = parsed;
      const asked = ask(features);
      if (!(asked instanceof Set)) return { kind: 'unreadable', why: asked.cannot };
      wanted = asked;
      bytes = head.subarray(second + 1);
    }
    if (carry.length > 0) bytes = Buffer.concat([carry, bytes]);
    const whole = bytes.length - (bytes.length % 8);
    for (let at = 0; at < whole; at += 8) {
      const key = bytes.toString('hex', at, at + 8);
      if (wanted.has(key)) found.add(key);
    }
    rows += whole / 8;
    carry = Buffer.from(bytes.subarray(whole));
  }
  if (!wanted) return { kind: 'unreadable', why: 'no header' };
  if (carry.length > 0) return { kind: 'unreadable', why: 'truncated (not a whole number of 8-byte rows)' };
  return { kind: 'read', features, rows, found };
}

const Header = z.object({ features: z.array(z.string()) });

function parseHeader(magic: string, json: string): string[] | string {
  if (magic !== MAGIC) return `not a training-rows blob of this version ('${magic.slice(0, 40)}')`;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return 'its header is not JSON';
  }
  const header = Header.safeParse(value);
  return header.success ? header.data.features : 'its header names no features';
}
