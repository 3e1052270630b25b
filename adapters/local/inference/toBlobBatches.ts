import { hourPartition } from '../../../shared/monitoring/inferenceBlobName';
import type { InferenceRecord } from '../../../shared/monitoring/inferenceRecord';

/** One blob per deployment and hour partition of the records' time (at most `max` records each), in arrival order. */
export function toBlobBatches(records: InferenceRecord[], max: number): InferenceRecord[][] {
  const groups = new Map<string, InferenceRecord[]>();
  for (const record of records) {
    const key = `${record.deployment}\n${hourPartition(new Date(record.time))}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(record);
  }
  const batches: InferenceRecord[][] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += max) batches.push(group.slice(i, i + max));
  }
  return batches;
}
