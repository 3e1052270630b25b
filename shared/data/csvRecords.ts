import { CsvError, Parser } from 'csv-parse';
import { DataValidationError } from '../errors';

/** The parser settings of the data gate. */
// max_record_size: an unclosed quote would otherwise gather the rest of a 256 MB file into one field.
const CSV_OPTIONS = { bom: true, skip_empty_lines: true, trim: true, relax_quotes: false, max_record_size: 4 * 1024 * 1024 } as const;

/** csv-parse's synchronous incremental core, which its stream `Parser` wraps. */
interface IncrementalApi {
  parse(chunk: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
}

/**
 * Bytes in, records out, a chunk at a time and synchronously, so the caller decides
 * when to yield and memory holds one chunk, not the file. csv-parse's Transform stream
 * would do the same work behind a stream's buffering; its `api` is the sync engine
 * under both `csv-parse/sync` and the stream (pinned: csv-parse 7).
 */
export class CsvRecords {
  private readonly api = (new Parser(CSV_OPTIONS) as unknown as { api: IncrementalApi }).api;

  constructor(private readonly blob: string) {}

  push(chunk: Uint8Array): string[][] {
    return this.parse(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), false);
  }

  end(): string[][] {
    return this.parse(undefined, true);
  }

  private parse(chunk: Buffer | undefined, end: boolean): string[][] {
    const records: string[][] = [];
    const error = this.api.parse(chunk, end, (record) => records.push(record), () => {});
    if (error) {
      // csv-parse's messages already name the line ("expect 6, got 5 on line 12").
      const message = error instanceof CsvError ? error.message : String(error);
      throw new DataValidationError(this.blob, `malformed CSV: ${message}; every row needs as many fields as the header`);
    }
    return records;
  }
}

/** A NUL byte or invalid UTF-8 in the first 8 KiB: CSV exports never contain either. */
export function looksBinary(head: Uint8Array, whole: boolean): boolean {
  if (head.includes(0)) return true;
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
  // Allow one truncated multi-byte character at the cut.
  const replacements = text.match(/\uFFFD/g)?.length ?? 0;
  return replacements > (whole ? 0 : 1);
}

export const BINARY_SNIFF_BYTES = 8192;
