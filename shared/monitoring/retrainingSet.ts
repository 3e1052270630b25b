import { ConcurrencyError, DataValidationError, ensureError } from '../errors';
import { eachCsvRecord } from '../data/eachCsvRecord';
import { toCsvLine } from '../data/split';
import type { PipelineConfig } from '../config/schema';
import type { BlobInfo, DataStore } from '../ports';
import type { LabelledRow } from './modelQuality';

export interface RetrainingSet {
  blob: BlobInfo;
  rows: number;
  /** Of `rows`, labelled production requests (ground truth joined by request id). */
  productionRows: number;
  sources: string[];
}

/**
 * The data a drift retrain learns from: every training file of the pipeline from the last
 * `retrain.dataWindowDays` whose header matches the newest one, concatenated (newest
 * last), plus the labelled production requests of the monitor window (columns excluded
 * for privacy stay empty: the trainer imputes them), written as one CSV into the
 * artifacts container.
 *
 * Files are streamed twice (check, then copy) and never held whole: a window may hold
 * several files near data.maxMegabytes, and this runs on the host that serves requests.
 */
export async function buildRetrainingSet(
  pipeline: string,
  policy: PipelineConfig,
  data: DataStore,
  artifactsContainer: string,
  now: Date,
  labelled: readonly LabelledRow[] = [],
): Promise<RetrainingSet | undefined> {
  const since = new Date(now.getTime() - policy.monitoring.retrain.dataWindowDays * 86_400_000).toISOString();
  const blobs = (await data.list(policy.data.container, policy.data.prefix))
    .filter((b) => /\.(csv|txt)$/i.test(b.name) && (b.lastModified ?? '') >= since)
    .sort((a, b) => (a.lastModified ?? '').localeCompare(b.lastModified ?? '') || a.name.localeCompare(b.name));
  let header: string[] | undefined;
  const chosen: { blob: BlobInfo; rows: number }[] = [];
  for (const blob of [...blobs].reverse()) {
    const file = await readable(data, blob, policy.data.labelColumn, header);
    if (!file) continue;
    header ??= file.header;
    chosen.unshift({ blob, rows: file.rows });
  }
  if (!header || chosen.every((c) => c.rows === 0)) return undefined;

  const name = `retrain/${pipeline}/${now.toISOString().replace(/[-:.]/g, '')}.csv`;
  const writer = data.openWrite({ container: artifactsContainer, name }, { contentType: 'text/csv' });
  try {
    await writer.write(toCsvLine(header));
    for (const { blob } of chosen) {
      // ifMatch: the file checked is the file copied (an overwrite in between fails the build).
      await eachRecord(data, blob, (record, line) => (line === 1 ? undefined : writer.write(toCsvLine(record))), blob.eTag);
    }
    const label = policy.data.labelColumn;
    for (const row of labelled) {
      await writer.write(toCsvLine(header.map((column) => (column === label ? row.label : cell(row.input[column])))));
    }
  } catch (error) {
    await writer.abort(ensureError(error));
    throw error;
  }
  const written = await writer.close();
  const sources = chosen.map((c) => c.blob.name);
  if (labelled.length) sources.push(`${labelled.length} labelled production requests`);
  const rows = chosen.reduce((sum, c) => sum + c.rows, 0) + labelled.length;
  return { blob: written, rows, productionRows: labelled.length, sources };
}

/**
 * Whether a file is training data of the same shape: it parses to the end, names the
 * label column and (after the newest file) has the newest file's header. A file the data
 * gate rejected before is not training data, so a parse error just leaves it out.
 */
async function readable(data: DataStore, blob: BlobInfo, labelColumn: string, expected: string[] | undefined) {
  let header: string[] | undefined;
  let mismatch = false;
  try {
    const records = await eachRecord(data, blob, (record, line) => {
      if (line !== 1) return undefined;
      header = record;
      mismatch = !record.includes(labelColumn) || (expected !== undefined && record.join('\u0000') !== expected.join('\u0000'));
      return mismatch ? 'stop' : undefined;
    });
    if (mismatch || !header) return undefined;
    return { header, rows: records - 1 };
  } catch (error) {
    if (error instanceof DataValidationError) return undefined;
    throw error;
  }
}

/** Each record of a training file (line 1 is the header), this version of it when `ifMatch` is given. */
async function eachRecord(
  data: DataStore,
  blob: BlobInfo,
  visit: (record: string[], line: number) => 'stop' | Promise<void> | undefined,
  ifMatch?: string,
): Promise<number> {
  return eachCsvRecord(data, blob, visit, ifMatch !== undefined ? { ifMatch } : {}).catch((error: unknown) => {
    if (error instanceof ConcurrencyError)
      throw new ConcurrencyError(`${blob.container}/${blob.name} (overwritten while the retraining set was built)`);
    throw error;
  });
}

function cell(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}
