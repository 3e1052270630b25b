import { DataValidationError } from '../errors';
import type { BlobRef, DataStore } from '../ports';
import { CsvRecords } from './csvRecords';

export interface EachCsvRecordOptions {
  /** Read only this version of the blob (ConcurrencyError if it changed). @default any */
  ifMatch?: string;
  /** Told every raw chunk before it is parsed (a content hash). @default none */
  onChunk?: (chunk: Uint8Array) => void;
}

/**
 * Streams a CSV blob and feeds each record to `visit` (line 1 is the header); `'stop'`
 * ends the read early. The whole file must be UTF-8 text: the data gate sniffs only the
 * head of a file, so a NUL byte or an invalid sequence further on is refused here
 * (DataValidationError) rather than decoded to U+FFFD and trained on. Memory holds one chunk.
 * Returns how many records were visited.
 */
export async function eachCsvRecord(
  data: DataStore,
  blob: BlobRef,
  visit: (record: string[], line: number) => 'stop' | Promise<void> | undefined,
  options: EachCsvRecordOptions = {},
): Promise<number> {
  const where = `${blob.container}/${blob.name}`;
  const { chunks } = await data.readStream(blob, options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {});
  const parser = new CsvRecords(where);
  const text = new Utf8Text(where);
  let seen = 0;
  const take = async (records: string[][]) => {
    for (const record of records) {
      const outcome = visit(record, ++seen);
      if (outcome === 'stop') return true;
      if (outcome) await outcome;
    }
    return false;
  };
  for await (const chunk of chunks) {
    text.push(chunk);
    options.onChunk?.(chunk);
    if (await take(parser.push(chunk))) return seen;
  }
  text.end();
  await take(parser.end());
  return seen;
}

/** A strict streaming UTF-8 check (TextDecoder with `fatal`), chunk boundaries included. */
class Utf8Text {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  constructor(private readonly where: string) {}
  push(chunk: Uint8Array): void {
    if (chunk.includes(0)) throw this.refusal();
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      throw this.refusal();
    }
  }
  end(): void {
    try {
      this.decoder.decode();
    } catch {
      throw this.refusal();
    }
  }
  private refusal(): DataValidationError {
    return new DataValidationError(this.where, 'not a CSV text file (binary content or not UTF-8); upload UTF-8 CSV with a header row');
  }
}
