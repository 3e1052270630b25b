import type { InferenceRecord } from './inferenceRecord';
import { parseInferenceLine } from './parseInferenceLines';
import type { InferenceReadStats } from './readInferenceRecords';
import { decodeBytes } from './jsonBytes';
import { InferenceLineScanner, ScannedCells } from './scanInferenceLine';

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
 * Reads blobs' bytes chunk by chunk into lines (memory holds a chunk and one partial line) and each
 * line straight into `cells` for the columns asked for, without a record object; lines the byte
 * scanner does not read plainly are parsed with JSON.parse and the schema, so results are the same.
 * Pure: the caller reads the blobs (on any thread) and feeds their chunks, one blob at a time.
 */
export class InferenceBlobScan {
  private readonly cells: ScannedCells;
  private readonly scanner: InferenceLineScanner;
  private tally = emptyTally();
  private blob = '';
  private lineNumber = 1;
  // The start of a line that continues into the next chunk.
  private carry: Uint8Array = new Uint8Array(0);
  private lastTime = '';
  private lastParsed = NaN;
  // The line being handed on, for `record()`: fields, not an object per row.
  private currentBytes: Uint8Array = new Uint8Array(0);
  private currentStart = 0;
  private currentEnd = 0;
  private parsedLine: InferenceRecord | undefined;
  private readonly record = (): InferenceRecord => {
    if (this.parsedLine) return this.parsedLine;
    const parsed = parseInferenceLine(decodeBytes(this.currentBytes, 'utf8', this.currentStart, this.currentEnd).trim());
    if ('reason' in parsed) throw new RangeError(`a scanned line failed the record schema: ${parsed.reason}`);
    return parsed.record;
  };

  constructor(
    columns: readonly string[],
    private readonly predictionColumn: string,
    private readonly from: number,
    private readonly to: number,
    private readonly onRecord: OnScannedRecord,
    private readonly maxSamples = 10,
  ) {
    this.cells = new ScannedCells(columns);
    this.scanner = new InferenceLineScanner(this.cells, predictionColumn);
  }

  begin(blob: string): void {
    this.blob = blob;
    this.tally = emptyTally();
    this.lineNumber = 1;
    this.carry = new Uint8Array(0);
  }

  feed(chunk: Uint8Array): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    if (this.carry.length > 0) {
      if (newline < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      const joined = Buffer.concat([this.carry, chunk.subarray(0, newline)]);
      this.line(joined, 0, joined.length);
      this.carry = new Uint8Array(0);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline >= 0) {
      this.line(chunk, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    // Copied: the stream may reuse the chunk's memory.
    if (start < chunk.length) this.carry = Buffer.from(chunk.subarray(start));
  }

  /** The blob ended: its last line, and what it held. */
  end(): BlobTally {
    if (this.carry.length > 0) this.line(this.carry, 0, this.carry.length);
    this.carry = new Uint8Array(0);
    return this.tally;
  }

  private line(bytes: Uint8Array, start: number, end: number): void {
    const { cells, tally } = this;
    const lineNumber = this.lineNumber++;
    this.parsedLine = undefined;
    if (!this.scanner.scan(bytes, start, end)) {
      const text = decodeBytes(bytes, 'utf8', start, end).trim();
      if (!text) return;
      const parsed = parseInferenceLine(text);
      if ('reason' in parsed) {
        tally.malformed++;
        if (tally.malformedSamples.length < this.maxSamples)
          tally.malformedSamples.push({ line: lineNumber, reason: parsed.reason, blob: this.blob });
        return;
      }
      this.parsedLine = parsed.record;
      cells.fill(
        { ...parsed.record.input, [this.predictionColumn]: parsed.record.prediction },
        parsed.record.deployment,
        parsed.record.time,
      );
    }
    // Records of one request share their time: parse each distinct time once.
    if (cells.time !== this.lastTime) {
      this.lastTime = cells.time;
      this.lastParsed = Date.parse(this.lastTime);
    }
    const time = this.lastParsed;
    if (!(time >= this.from && time < this.to)) {
      tally.outsideRange++;
      return;
    }
    tally.records++;
    if (!(time >= tally.firstTime)) tally.firstTime = time;
    if (!(time <= tally.lastTime)) tally.lastTime = time;
    this.currentBytes = bytes;
    this.currentStart = start;
    this.currentEnd = end;
    this.onRecord(cells, this.record);
  }
}

export function emptyTally(): BlobTally {
  return { records: 0, outsideRange: 0, malformed: 0, malformedSamples: [], firstTime: NaN, lastTime: NaN };
}
