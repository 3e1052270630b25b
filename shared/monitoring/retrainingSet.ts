import { parse } from 'csv-parse/sync';
import { toCsv } from '../data/split';
import type { PipelineConfig } from '../config/schema';
import type { BlobInfo, DataStore } from '../ports';

export interface RetrainingSet {
  blob: BlobInfo;
  rows: number;
  sources: string[];
}

/**
 * The data a drift retrain learns from: every training file of the pipeline from the last
 * `retrain.dataWindowDays` whose header matches the newest one, concatenated (newest
 * last), written as one CSV into the artifacts container.
 */
export async function buildRetrainingSet(
  pipeline: string,
  policy: PipelineConfig,
  data: DataStore,
  artifactsContainer: string,
  now: Date,
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
  const name = `retrain/${pipeline}/${now.toISOString().replace(/[-:.]/g, '')}.csv`;
  const blob = await data.write({ container: artifactsContainer, name }, toCsv(header, rows), { contentType: 'text/csv' });
  return { blob, rows: rows.length, sources };
}
