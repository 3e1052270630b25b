import { createHash } from 'node:crypto';
import { z } from 'zod';
import { normalizeETag } from '../events/eTag';
import type { BlobInfo, DataStore } from '../ports';
import { isInferenceBlobName } from './inferenceBlobName';
import type { BlobTally } from './scanInferenceWindow';
import { DriftAccumulator, WindowProfile, type BaselineProfile } from './stats';

/**
 * Per-blob window summaries: what one inference blob adds to a window (bins, category counts,
 * moments, KLL sketches, read counts), stored in the artifacts container the first time a run
 * reads the blob whole inside its window, so later runs of a sliding window merge it instead of
 * reading the blob again. Bump FORMAT whenever accumulation changes: old summaries are then
 * under another key and simply not found.
 */
export const SUMMARY_FORMAT = 1;
const FOLDER = 'drift-summaries';

const Tally = z.object({
  records: z.int().min(1),
  outsideRange: z.literal(0),
  malformed: z.int().min(0),
  malformedSamples: z.array(z.object({ line: z.int().min(1), reason: z.string(), blob: z.string() })),
  firstTime: z.number(),
  lastTime: z.number(),
});

const BlobSummary = z.object({
  format: z.literal(SUMMARY_FORMAT),
  key: z.string(),
  blob: z.string(),
  eTag: z.string(),
  tally: Tally,
  window: WindowProfile,
});
type BlobSummary = z.infer<typeof BlobSummary>;

/** Where summaries go and what they were accumulated against. */
export interface SummaryStore {
  data: DataStore;
  container: string;
  /** summaryKey(): the baseline, the deployment counted and the format. */
  key: string;
}

/**
 * The identity of everything that shapes a summary besides the blob: the format, the baseline
 * profile's exact content (bins and categories come from it) and the deployment whose records count.
 */
export function summaryKey(baselineContent: Buffer | string, deployment: string): string {
  return createHash('sha256').update(`${SUMMARY_FORMAT}\n${deployment}\n`).update(baselineContent).digest('hex').slice(0, 32);
}

/** The summary's blob name, or undefined for a blob name not of the collector's shape (such a blob is always read). */
export function summaryName(key: string, blobName: string): string | undefined {
  return isInferenceBlobName(blobName) ? `${FOLDER}/${key}/${blobName}.summary.json` : undefined;
}

/** The stored summary of this version of `blob`; undefined when none, or when it is stale or unreadable (it is then rebuilt). */
export async function readSummary(
  store: SummaryStore,
  baseline: BaselineProfile,
  blob: BlobInfo,
): Promise<{ tally: BlobTally; window: () => DriftAccumulator } | undefined> {
  const name = summaryName(store.key, blob.name);
  if (!name) return undefined;
  let summary: BlobSummary;
  try {
    const { content } = await store.data.read({ container: store.container, name });
    summary = BlobSummary.parse(JSON.parse(content.toString('utf8')));
  } catch {
    // Missing, corrupt or of another shape: reading the blob again is always correct.
    return undefined;
  }
  // Listings and downloads may quote an eTag differently (Azurite does).
  if (summary.key !== store.key || summary.blob !== blob.name || summary.eTag !== normalizeETag(blob.eTag)) return undefined;
  return { tally: summary.tally, window: () => DriftAccumulator.fromJSON(baseline, summary.window) };
}

/** The summary's text if `tally` may be stored (every record of the blob was in the window), else undefined. */
export function summaryText(
  store: SummaryStore,
  blob: BlobInfo,
  tally: BlobTally,
  window: DriftAccumulator,
): { name: string; text: string } | undefined {
  const name = summaryName(store.key, blob.name);
  if (!name || tally.outsideRange > 0 || tally.records === 0 || !blob.eTag) return undefined;
  const summary: BlobSummary = {
    format: SUMMARY_FORMAT,
    key: store.key,
    blob: blob.name,
    eTag: normalizeETag(blob.eTag),
    tally: { ...tally, outsideRange: 0 },
    window: window.toJSON(),
  };
  return { name, text: JSON.stringify(summary) };
}
