import { NotFoundError } from '../errors';
import type { BlobInfo, DataStore } from '../ports';
import { inferencePrefixes } from './inferenceBlobName';
import { INFERENCE_CONTAINER, type InferenceRecord } from './inferenceRecord';
import { parseInferenceLine } from './parseInferenceLines';
import { parseTime, type InferenceReadStats } from './readInferenceRecords';
import { decodeBytes } from './jsonBytes';
import { InferenceLineScanner, ScannedCells } from './scanInferenceLine';

export interface ScanInferenceWindowOptions {
  /** @default INFERENCE_CONTAINER ('inference-data') */
  container?: string;
  /** Malformed lines described in `stats.malformedSamples`. @default 10 */
  maxSamples?: number;
  /**
   * Before a blob is read: a tally the caller already has for it (a stored summary, see
   * blobSummaries.ts) is counted instead and the blob is not read; undefined reads it.
   */
  knownBlob?: (blob: BlobInfo) => Promise<BlobTally | undefined>;
  /** After a blob was read to its end, what it held (with the eTag of the version read). */
  blobRead?: (blob: BlobInfo, tally: BlobTally) => Promise<void>;
}

/** What one blob held, in the terms of InferenceReadStats, and the span of its records' times. */
export interface BlobTally {
  /** Records whose time was in the window. */
  records: number;
  outsideRange: number;
  malformed: number;
  malformedSamples: InferenceReadStats['malformedSamples'];
  /** Earliest and latest record time (ms), NaN without records; an unreadable time counts as outsideRange. */
  firstTime: number;
  lastTime: number;
}

/**
 * Called once per record in [from, to). `cells` is reused for the next record: read it now.
 * `record()` parses the line whole (JSON.parse + schema), for the few rows that are kept.
 */
export type OnScannedRecord = (cells: ScannedCells, record: () => InferenceRecord) => void;

const NEWLINE = 0x0a;

/**
 * The inference records of `endpoint` whose time is in [fromIso, toIso), as readInferenceRecords
 * reads them (same blobs, same order, same records, same stats), but streamed: each blob is read
 * chunk by chunk and line by line (memory holds a chunk and one partial line, not a blob), and
 * each line goes straight into `cells` for the `columns` asked for, without a record object.
 * Lines the byte scanner does not read plainly are parsed as before, so results are the same.
 */
export async function scanInferenceWindow(
  data: DataStore, endpoint: string, fromIso: string, toIso: string,
  columns: readonly string[], predictionColumn: string, onRecord: OnScannedRecord, options: ScanInferenceWindowOptions = {},
): Promise<InferenceReadStats> {
  const from = parseTime(fromIso, 'from');
  const to = parseTime(toIso, 'to');
  const container = options.container ?? INFERENCE_CONTAINER;
  const maxSamples = options.maxSamples ?? 10;
  const stats: InferenceReadStats = { blobs: 0, records: 0, malformed: 0, malformedSamples: [], outsideRange: 0, vanishedBlobs: 0 };
  let tally = emptyTally();
  const count = (t: BlobTally): void => {
    stats.records += t.records;
    stats.outsideRange += t.outsideRange;
    stats.malformed += t.malformed;
    for (const m of t.malformedSamples) if (stats.malformedSamples.length < maxSamples) stats.malformedSamples.push(m);
  };
  const cells = new ScannedCells(columns);
  const scanner = new InferenceLineScanner(cells, predictionColumn);
  let lastTime = '';
  let lastParsed = NaN;
  // The line being handed on, for `record()`: fields, not an object per row.
  let currentBytes: Uint8Array = new Uint8Array(0);
  let currentStart = 0;
  let currentEnd = 0;
  let parsedLine: InferenceRecord | undefined;
  const record = (): InferenceRecord => {
    if (parsedLine) return parsedLine;
    const parsed = parseInferenceLine(decodeBytes(currentBytes, 'utf8', currentStart, currentEnd).trim());
    if ('reason' in parsed) throw new RangeError(`a scanned line failed the record schema: ${parsed.reason}`);
    return parsed.record;
  };

  const line = (blob: string, lineNumber: number, bytes: Uint8Array, start: number, end: number): void => {
    parsedLine = undefined;
    if (!scanner.scan(bytes, start, end)) {
      const text = decodeBytes(bytes, 'utf8', start, end).trim();
      if (!text) return;
      const parsed = parseInferenceLine(text);
      if ('reason' in parsed) {
        tally.malformed++;
        if (tally.malformedSamples.length < maxSamples) tally.malformedSamples.push({ line: lineNumber, reason: parsed.reason, blob });
        return;
      }
      parsedLine = parsed.record;
      cells.fill({ ...parsed.record.input, [predictionColumn]: parsed.record.prediction }, parsed.record.deployment, parsed.record.time);
    }
    // Records of one request share their time: parse each distinct time once.
    if (cells.time !== lastTime) {
      lastTime = cells.time;
      lastParsed = Date.parse(lastTime);
    }
    if (!(lastParsed >= from && lastParsed < to)) {
      tally.outsideRange++;
      return;
    }
    tally.records++;
    if (!(lastParsed >= tally.firstTime)) tally.firstTime = lastParsed;
    if (!(lastParsed <= tally.lastTime)) tally.lastTime = lastParsed;
    currentBytes = bytes;
    currentStart = start;
    currentEnd = end;
    onRecord(cells, record);
  };

  for (const prefix of inferencePrefixes(endpoint, new Date(from), new Date(to))) {
    const blobs = (await data.list(container, prefix)).filter((b) => b.name.endsWith('.jsonl')).sort((a, b) => a.name.localeCompare(b.name));
    for (const blob of blobs) {
      const known = await options.knownBlob?.(blob);
      if (known) {
        stats.blobs++;
        count(known);
        continue;
      }
      let chunks: AsyncIterable<Uint8Array>;
      let read: BlobInfo;
      try {
        ({ chunks, info: read } = await data.readStream({ container, name: blob.name }));
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        stats.vanishedBlobs++;
        continue;
      }
      stats.blobs++;
      tally = emptyTally();
      let lineNumber = 1;
      // The start of a line that continues into the next chunk.
      let carry: Uint8Array = new Uint8Array(0);
      for await (const chunk of chunks) {
        let start = 0;
        let newline = chunk.indexOf(NEWLINE);
        if (carry.length > 0) {
          if (newline < 0) {
            carry = concat(carry, chunk);
            continue;
          }
          const joined = concat(carry, chunk.subarray(0, newline));
          line(blob.name, lineNumber++, joined, 0, joined.length);
          carry = new Uint8Array(0);
          start = newline + 1;
          newline = chunk.indexOf(NEWLINE, start);
        }
        while (newline >= 0) {
          line(blob.name, lineNumber++, chunk, start, newline);
          start = newline + 1;
          newline = chunk.indexOf(NEWLINE, start);
        }
        // Copied: the stream may reuse the chunk's memory.
        if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
      }
      if (carry.length > 0) line(blob.name, lineNumber, carry, 0, carry.length);
      count(tally);
      await options.blobRead?.({ ...blob, eTag: read.eTag || blob.eTag }, tally);
    }
  }
  return stats;
}

function emptyTally(): BlobTally {
  return { records: 0, outsideRange: 0, malformed: 0, malformedSamples: [], firstTime: NaN, lastTime: NaN };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  return Buffer.concat([a, b]);
}
