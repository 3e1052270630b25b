import { BadRequestError, NotFoundError } from '../errors';
import type { DataStore } from '../ports';
import { inferencePrefixes } from './inferenceBlobName';
import { INFERENCE_CONTAINER, type InferenceRecord } from './inferenceRecord';
import { parseInferenceLines, type MalformedLine } from './parseInferenceLines';

/** What a read went through; filled in while iterating, complete once iteration ends. */
export interface InferenceReadStats {
  blobs: number;
  records: number;
  /** Lines that were not records (not JSON or the wrong shape). */
  malformed: number;
  /** A few of them, with their blob. */
  malformedSamples: (MalformedLine & { blob: string })[];
  /** Records of a listed partition whose time lies outside [from, to) or is not a time. */
  outsideRange: number;
  /** Blobs that were listed but gone when read (e.g. deleted by retention meanwhile). */
  vanishedBlobs: number;
}

/** An async iterable of records that reports, in `stats`, what it skipped. */
export interface InferenceRecordStream extends AsyncIterable<InferenceRecord> {
  readonly stats: InferenceReadStats;
}

export interface ReadInferenceRecordsOptions {
  /** @default INFERENCE_CONTAINER ('inference-data') */
  container?: string;
  /** Malformed lines described in `stats.malformedSamples`. @default 10 */
  maxSamples?: number;
}

/**
 * The inference records of `endpoint` whose time is in [fromIso, toIso), read blob by blob
 * (memory holds one blob at a time). Records come in blob-name order, not sorted by time.
 * Malformed lines are counted in `stats`, never thrown; storage failures are thrown.
 */
export function readInferenceRecords(
  data: DataStore,
  endpoint: string,
  fromIso: string,
  toIso: string,
  options: ReadInferenceRecordsOptions = {},
): InferenceRecordStream {
  const from = parseTime(fromIso, 'from');
  const to = parseTime(toIso, 'to');
  const prefixes = inferencePrefixes(endpoint, new Date(from), new Date(to));
  const container = options.container ?? INFERENCE_CONTAINER;
  const maxSamples = options.maxSamples ?? 10;
  const stats: InferenceReadStats = { blobs: 0, records: 0, malformed: 0, malformedSamples: [], outsideRange: 0, vanishedBlobs: 0 };

  async function* records(): AsyncGenerator<InferenceRecord> {
    for (const prefix of prefixes) {
      const blobs = (await data.list(container, prefix))
        .filter((b) => b.name.endsWith('.jsonl'))
        .sort((a, b) => a.name.localeCompare(b.name));
      for (const blob of blobs) {
        let text: string;
        try {
          text = (await data.read({ container, name: blob.name })).content.toString('utf8');
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          stats.vanishedBlobs++;
          continue;
        }
        stats.blobs++;
        const parsed = parseInferenceLines(text, { maxSamples: Math.max(0, maxSamples - stats.malformedSamples.length) });
        stats.malformed += parsed.malformed;
        stats.malformedSamples.push(...parsed.samples.map((s) => ({ ...s, blob: blob.name })));
        for (const record of parsed.records) {
          const time = Date.parse(record.time);
          if (!(time >= from && time < to)) {
            stats.outsideRange++;
            continue;
          }
          stats.records++;
          yield record;
        }
      }
    }
  }

  return { stats, [Symbol.asyncIterator]: () => records() };
}

export function parseTime(iso: string, name: 'from' | 'to'): number {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) throw new BadRequestError(`${name} must be an ISO time, got ${JSON.stringify(iso)}`, name);
  return time;
}
