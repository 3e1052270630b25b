import { NotFoundError } from '../errors';
import type { BlobInfo, DataStore } from '../ports';
import { InferenceBlobScan, type BlobTally, type OnScannedRecord } from './inferenceBlobScan';
import { inferencePrefixes } from './inferenceBlobName';
import { INFERENCE_CONTAINER } from './inferenceRecord';
import { parseTime, type InferenceReadStats } from './readInferenceRecords';

export type { BlobTally, OnScannedRecord } from './inferenceBlobScan';

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

/** The `.jsonl` blobs of `endpoint` in the partitions covering [from, to), in reading order. */
export async function listWindowBlobs(data: DataStore, container: string, endpoint: string, from: number, to: number): Promise<BlobInfo[]> {
  const all: BlobInfo[] = [];
  for (const prefix of inferencePrefixes(endpoint, new Date(from), new Date(to))) {
    all.push(...(await data.list(container, prefix)).filter((b) => b.name.endsWith('.jsonl')).sort((a, b) => a.name.localeCompare(b.name)));
  }
  return all;
}

/** Adds one blob's tally to a window's read stats. */
export function countTally(stats: InferenceReadStats, tally: BlobTally, maxSamples: number): void {
  stats.records += tally.records;
  stats.outsideRange += tally.outsideRange;
  stats.malformed += tally.malformed;
  for (const m of tally.malformedSamples) if (stats.malformedSamples.length < maxSamples) stats.malformedSamples.push(m);
}

export function emptyReadStats(): InferenceReadStats {
  return { blobs: 0, records: 0, malformed: 0, malformedSamples: [], outsideRange: 0, vanishedBlobs: 0 };
}

/**
 * The inference records of `endpoint` whose time is in [fromIso, toIso), as readInferenceRecords
 * reads them (same blobs, same order, same records, same stats), but streamed: each blob is read
 * chunk by chunk and line by line (memory holds a chunk and one partial line, not a blob), and
 * each line goes straight into `cells` for the `columns` asked for, without a record object
 * (inferenceBlobScan.ts). Lines the byte scanner does not read plainly are parsed as before.
 */
export async function scanInferenceWindow(
  data: DataStore,
  endpoint: string,
  fromIso: string,
  toIso: string,
  columns: readonly string[],
  predictionColumn: string,
  onRecord: OnScannedRecord,
  options: ScanInferenceWindowOptions = {},
): Promise<InferenceReadStats> {
  const from = parseTime(fromIso, 'from');
  const to = parseTime(toIso, 'to');
  const container = options.container ?? INFERENCE_CONTAINER;
  const maxSamples = options.maxSamples ?? 10;
  const stats = emptyReadStats();
  const scan = new InferenceBlobScan(columns, predictionColumn, from, to, onRecord, maxSamples);
  for (const blob of await listWindowBlobs(data, container, endpoint, from, to)) {
    const known = await options.knownBlob?.(blob);
    if (known) {
      stats.blobs++;
      countTally(stats, known, maxSamples);
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
    scan.begin(blob.name);
    for await (const chunk of chunks) scan.feed(chunk);
    const tally = scan.end();
    countTally(stats, tally, maxSamples);
    await options.blobRead?.({ ...blob, eTag: read.eTag || blob.eTag }, tally);
  }
  return stats;
}
