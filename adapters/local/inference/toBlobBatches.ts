import type { InferenceRecord } from '../../../shared/monitoring/inferenceRecord';

/** One blob per deployment and hour partition of the records' time (at most `max` records each), in arrival order. */
export function toBlobBatches(records: InferenceRecord[], max: number): InferenceRecord[][] {
  const groups = new Map<string, InferenceRecord[]>();
  for (const record of records) {
    const key = `${record.deployment}\n${hourOf(record.time)}`;
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

/**
 * The hour a record's time falls in. Times the collector stamps are UTC ISO strings
 * (toISOString), whose first 13 characters name the hour: read off the string, as a Date per
 * record cost more than the rest of the grouping. Any other form is parsed.
 */
function hourOf(time: string): string {
  return (time.length === 24 && time[10] === 'T' && time.endsWith('Z') ? time : new Date(time).toISOString()).slice(0, 13);
}
