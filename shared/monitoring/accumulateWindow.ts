import type { DataStore } from '../ports';
import { readSummary, summaryText, type SummaryStore } from './blobSummaries';
import type { InferenceRecord } from './inferenceRecord';
import type { InferenceReadStats } from './readInferenceRecords';
import { scanInferenceWindow, type BlobTally } from './scanInferenceWindow';
import { createWindowProfile, type BaselineProfile, type DriftAccumulator } from './stats';

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
  /** Each accumulated record of a blob that is read (summarised blobs are not): `record()` parses it whole. */
  onRecord?: (record: () => InferenceRecord) => void;
  container?: string;
}

export interface WindowAccumulation {
  window: DriftAccumulator;
  stats: InferenceReadStats;
  summaries: { merged: number; written: number; unwritten: number };
}

/**
 * A monitoring window accumulated blob by blob: each blob into a window of its own, merged into
 * the total in blob order. A blob with a stored summary of the same version (see blobSummaries.ts)
 * is merged from it, unread, when all its records lie in [from, to), or counted as outside when
 * none does; any other blob is read, and stored as a summary when every record was in the window.
 * Because a cold run merges the same per-blob windows in the same order, a run from summaries
 * gives exactly the window (and read counts) of a run that reads every blob.
 */
export async function accumulateInferenceWindow(options: AccumulateWindowOptions): Promise<WindowAccumulation> {
  const { baseline, deployment, summaries: store } = options;
  const from = Date.parse(options.from);
  const to = Date.parse(options.to);
  const window = createWindowProfile(baseline);
  const summaries = { merged: 0, written: 0, unwritten: 0 };
  let blobWindow = createWindowProfile(baseline);
  // One summary write in flight, overlapping the next blob's read.
  let writing: Promise<void> = Promise.resolve();

  const knownBlob = store && (async (blob: Parameters<typeof readSummary>[2]): Promise<BlobTally | undefined> => {
    const summary = await readSummary(store, baseline, blob);
    if (!summary) return undefined;
    const { tally } = summary;
    if (tally.firstTime >= from && tally.lastTime < to) {
      window.merge(summary.window());
      summaries.merged++;
      return tally;
    }
    if (tally.lastTime < from || tally.firstTime >= to) return { ...tally, records: 0, outsideRange: tally.records };
    // The window's edge cuts through this blob: read it.
    return undefined;
  });

  const stats = await scanInferenceWindow(options.data, options.endpoint, options.from, options.to, blobWindow.cellColumns, options.predictionColumn, (cells, record) => {
    if (cells.deployment !== deployment) return;
    blobWindow.addCells(cells.kinds, cells.numbers, cells.others);
    options.onRecord?.(record);
  }, {
    ...(options.container ? { container: options.container } : {}),
    ...(knownBlob ? { knownBlob } : {}),
    blobRead: async (blob, tally) => {
      window.merge(blobWindow);
      const summary = store && summaryText(store, blob, tally, blobWindow);
      blobWindow = createWindowProfile(baseline);
      if (!store || !summary) return;
      await writing;
      writing = store.data.write({ container: store.container, name: summary.name }, summary.text, { contentType: 'application/json' }).then(
        () => void summaries.written++,
        // A summary is a saving, never a condition of the run: the next run reads the blob again.
        () => void summaries.unwritten++,
      );
    },
  });
  await writing;
  return { window, stats, summaries };
}
