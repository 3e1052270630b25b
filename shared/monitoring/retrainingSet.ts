import { parse } from 'csv-parse/sync';
import { toCsv } from '../data/split';
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
  const rows: string[][] = [];
  const sources: string[] = [];
  for (const blob of [...blobs].reverse()) {
    const { content } = await data.read(blob);
    let records: string[][];
    try {
      records = parse(content, { bom: true, skip_empty_lines: true, trim: true }) as string[][];
    } catch {
      continue; // a file the data gate rejected before: not training data
    }
    const [head, ...body] = records;
    if (!head || !head.includes(policy.data.labelColumn)) continue;
    header ??= head;
    if (head.join('\u0000') !== header.join('\u0000')) continue;
    rows.unshift(...body);
    sources.unshift(blob.name);
  }
  if (!header || rows.length === 0) return undefined;
  const label = policy.data.labelColumn;
  for (const row of labelled) {
    rows.push(header.map((column) => (column === label ? row.label : cell(row.input[column]))));
  }
  if (labelled.length) sources.push(`${labelled.length} labelled production requests`);
  const name = `retrain/${pipeline}/${now.toISOString().replace(/[-:.]/g, '')}.csv`;
  const blob = await data.write({ container: artifactsContainer, name }, toCsv(header, rows), { contentType: 'text/csv' });
  return { blob, rows: rows.length, productionRows: labelled.length, sources };
}

function cell(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}
