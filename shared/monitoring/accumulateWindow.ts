import { NotFoundError } from '../errors';
import type { BlobInfo, DataStore } from '../ports';
import { readSummary, summaryText, type SummaryStore } from './blobSummaries';
import type { BlobScanPool, BlobScanSession } from './blobScanPool';
import type { InferenceRecord } from './inferenceRecord';
import { INFERENCE_CONTAINER } from './inferenceRecord';
import { parseTime, type InferenceReadStats } from './readInferenceRecords';
import { countTally, emptyReadStats, listWindowBlobs, scanInferenceWindow, type BlobTally } from './scanInferenceWindow';
import { DriftAccumulator, createWindowProfile, type BaselineProfile } from './stats';

export interface AccumulateWindowOptions {
  data: DataStore;
  endpoint: string;
  from: string;
  to: string;
  baseline: BaselineProfile;
  predictionColumn: string;
  /** Only this deployment's records are accumulated. */
  deployment: string;
  /** Stored per-blob summaries to merge and to write; without it every blob is read. */
  summaries?: SummaryStore;
  /**
   * Each accumulated record of a blob that is read (summarised blobs are not): `record()` parses it
   * whole. Scanned on this thread: a run that needs records does not use `pool`.
   */
  onRecord?: (record: () => InferenceRecord) => void;
  /** Blobs to read are scanned on its threads, several at once, instead of on this one. */
  pool?: BlobScanPool;
  container?: string;
}

export interface WindowAccumulation {
  window: DriftAccumulator;
  stats: InferenceReadStats;
  summaries: { merged: number; written: number; unwritten: number };
}

/** Malformed lines sampled per blob; arrival summaries sample as many, so they carry what a run reading the blob reports. */
export const MAX_SAMPLES = 10;

/**
 * A monitoring window accumulated blob by blob: each blob into a window of its own, merged into
 * the total in blob order. A blob with a stored summary of the same version (see blobSummaries.ts)
 * is merged from it, unread, when all its records lie in [from, to), or counted as outside when
 * none does; any other blob is read, and stored as a summary when every record was in the window.
 * Because a cold run merges the same per-blob windows in the same order (whichever thread scanned
 * them), a run from summaries gives exactly the window and read counts of a run that reads every blob.
 */
export async function accumulateInferenceWindow(options: AccumulateWindowOptions): Promise<WindowAccumulation> {
  const { baseline, summaries: store } = options;
  const from = parseTime(options.from, 'from');
  const to = parseTime(options.to, 'to');
  const window = createWindowProfile(baseline);
  const summaries = { merged: 0, written: 0, unwritten: 0 };
  // One summary write in flight, overlapping the next blob's read.
  let writing: Promise<void> = Promise.resolve();
  const stored = async (blob: BlobInfo, tally: BlobTally, blobWindow: DriftAccumulator): Promise<void> => {
    const summary = store && summaryText(store, blob, tally, blobWindow);
    if (!store || !summary) return;
    await writing;
    writing = store.data.write({ container: store.container, name: summary.name }, summary.text, { contentType: 'application/json' }).then(
      () => void summaries.written++,
      // A summary is a saving, never a condition of the run: the next run reads the blob again.
      () => void summaries.unwritten++,
    );
  };
  /** The tally of a blob whose summary stands for it (its window merged when inside), or undefined to read it. */
  const known = async (blob: BlobInfo): Promise<{ tally: BlobTally; window?: () => DriftAccumulator } | undefined> => {
    const summary = store && (await readSummary(store, baseline, blob));
    if (!summary) return undefined;
    const { tally } = summary;
    if (tally.firstTime >= from && tally.lastTime < to) return summary;
    if (tally.lastTime < from || tally.firstTime >= to) return { tally: { ...tally, records: 0, outsideRange: tally.records } };
    // The window's edge cuts through this blob: read it.
    return undefined;
  };
  const mergeKnown = (part: { window?: () => DriftAccumulator }) => {
    if (!part.window) return;
    window.merge(part.window());
    summaries.merged++;
  };

  if (options.pool && !options.onRecord) {
    const stats = await accumulateOnPool(options, options.pool, from, to, known, async (blob, part) => {
      if ('window' in part && part.window instanceof DriftAccumulator) {
        window.merge(part.window);
        await stored(blob, part.tally, part.window);
      } else mergeKnown(part as { window?: () => DriftAccumulator });
    });
    await writing;
    return { window, stats, summaries };
  }

  let blobWindow = createWindowProfile(baseline);
  const stats = await scanInferenceWindow(
    options.data,
    options.endpoint,
    options.from,
    options.to,
    blobWindow.cellColumns,
    options.predictionColumn,
    (cells, record) => {
      if (cells.deployment !== options.deployment) return;
      blobWindow.addCells(cells.kinds, cells.numbers, cells.others);
      options.onRecord?.(record);
    },
    {
      ...(options.container ? { container: options.container } : {}),
      maxSamples: MAX_SAMPLES,
      ...(store
        ? {
            knownBlob: async (blob: BlobInfo) => {
              const part = await known(blob);
              if (part) mergeKnown(part);
              return part?.tally;
            },
          }
        : {}),
      blobRead: async (blob, tally) => {
        window.merge(blobWindow);
        await stored(blob, tally, blobWindow);
        blobWindow = createWindowProfile(baseline);
      },
    },
  );
  await writing;
  return { window, stats, summaries };
}

type Part = { tally: BlobTally; window?: (() => DriftAccumulator) | DriftAccumulator } | 'vanished';

/**
 * The blobs `parallelism` at a time: summaries read, the others streamed to the pool's lanes;
 * then each batch merged in blob order (memory holds one batch's windows).
 */
async function accumulateOnPool(
  options: AccumulateWindowOptions,
  pool: BlobScanPool,
  from: number,
  to: number,
  known: (blob: BlobInfo) => Promise<{ tally: BlobTally; window?: () => DriftAccumulator } | undefined>,
  merge: (blob: BlobInfo, part: Exclude<Part, 'vanished'>) => Promise<void>,
): Promise<InferenceReadStats> {
  const container = options.container ?? INFERENCE_CONTAINER;
  const stats = emptyReadStats();
  const blobs = await listWindowBlobs(options.data, container, options.endpoint, from, to);
  let session: BlobScanSession | undefined;
  const scanned = async (blob: BlobInfo, lane: number): Promise<Part & { read?: BlobInfo }> => {
    const part = await known(blob);
    if (part) return part;
    let stream: Awaited<ReturnType<DataStore['readStream']>>;
    try {
      stream = await options.data.readStream({ container, name: blob.name });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      return 'vanished';
    }
    session ??= pool.open({
      baseline: options.baseline,
      predictionColumn: options.predictionColumn,
      deployment: options.deployment,
      from,
      to,
      maxSamples: MAX_SAMPLES,
    });
    const { tally, window } = await session.scan(lane, blob.name, stream.chunks);
    return { tally, window: DriftAccumulator.fromJSON(options.baseline, window), read: { ...blob, eTag: stream.info.eTag || blob.eTag } };
  };
  try {
    for (let at = 0; at < blobs.length; at += pool.parallelism) {
      const batch = blobs.slice(at, at + pool.parallelism);
      const parts = await Promise.all(batch.map((blob, lane) => scanned(blob, lane)));
      for (const [i, part] of parts.entries()) {
        if (part === 'vanished') {
          stats.vanishedBlobs++;
          continue;
        }
        stats.blobs++;
        countTally(stats, part.tally, MAX_SAMPLES);
        await merge('read' in part && part.read ? part.read : batch[i]!, part);
      }
    }
  } finally {
    await session?.close();
  }
  return stats;
}
