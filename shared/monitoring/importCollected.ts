import type { CollectedInference, CollectedInferenceBatch, DataStore } from '../ports';
import { hourPartition } from './inferenceBlobName';
import { INFERENCE_CONTAINER } from './inferenceRecord';
import { MAX_REASONS } from './collectedInference';

export interface ImportedCollection {
  records: number;
  blobs: number;
  uncollectable: number;
  reasons: string[];
  /** Requests of our own load generator recognised in the collected data and left out. */
  synthetic: number;
  /** Why the import stopped, when it did. */
  failed?: string;
}

/**
 * Copies what the platform's collector wrote for `endpoint` in [fromIso, toIso) into our
 * inference-data container, so the monitor, labels and retraining read one format. Each
 * deployment-hour becomes one blob, rewritten whole on every run: a rerun replaces, never
 * duplicates, and an hour the collector was still writing is completed by the next run.
 */
export async function importCollected(
  data: DataStore,
  collected: CollectedInference | undefined,
  endpoint: string,
  fromIso: string,
  toIso: string,
  excludedColumns: readonly string[],
): Promise<ImportedCollection | undefined> {
  if (!collected) return undefined;
  const imported: ImportedCollection = { records: 0, blobs: 0, uncollectable: 0, reasons: [], synthetic: 0 };
  const batches = collected.collectedInference(endpoint, fromIso, toIso, excludedColumns)[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<CollectedInferenceBatch>;
    try {
      next = await batches.next();
    } catch (error) {
      // The collector's store unreachable (a missing role, an outage): the run goes on with what
      // inference-data holds and says why the collected part is missing. Our own writes still fail it.
      imported.failed = `collected data could not be read: ${(error instanceof Error ? error.message : String(error)).slice(0, 300)}`;
      break;
    }
    if (next.done) break;
    const batch = next.value;
    imported.uncollectable += batch.uncollectable;
    imported.synthetic += batch.synthetic;
    for (const reason of batch.reasons)
      if (imported.reasons.length < MAX_REASONS && !imported.reasons.includes(reason)) imported.reasons.push(reason);
    if (!batch.records.length) continue;
    const name = `${endpoint}/${hourPartition(new Date(batch.hour))}/collected-${batch.deployment}.jsonl`;
    await data.write({ container: INFERENCE_CONTAINER, name }, batch.records.map((r) => JSON.stringify(r)).join('\n') + '\n', {
      contentType: 'application/x-ndjson',
    });
    imported.records += batch.records.length;
    imported.blobs++;
  }
  return imported;
}
