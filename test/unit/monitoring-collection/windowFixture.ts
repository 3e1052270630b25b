import { createRng } from '../../../examples/tabular/lib/random';
import { accumulateInferenceWindow, type AccumulateWindowOptions } from '../../../shared/monitoring/accumulateWindow';
import { PREDICTION_COLUMN } from '../../../shared/monitoring/baseline';
import { summaryKey } from '../../../shared/monitoring/blobSummaries';
import type { BlobScanPool } from '../../../shared/monitoring/blobScanPool';
import { profileBaseline, type BaselineProfile } from '../../../shared/monitoring/stats';
import type { BlobRef } from '../../../shared/ports';
import { FakeDataStore } from './fakeDataStore';

/** @module A few hours of inference blobs and a baseline, for window accumulation tests (with and without summaries or a scan pool). */

const columns = ['age', 'income', 'plan', PREDICTION_COLUMN];
export const ARTIFACTS = 'artifacts';

/** `rows` records of `deployment` with times from `start` on, one a second, plus a malformed line. */
export function blobText(seed: number, start: string, rows: number): string {
  const rng = createRng(seed);
  const t0 = Date.parse(start);
  const lines = Array.from({ length: rows }, (_, i) =>
    JSON.stringify({
      requestId: `r${seed}-${i}`,
      endpoint: 'churn-prod',
      environment: 'prod',
      deployment: i % 11 === 0 ? 'green' : 'blue',
      model: { name: 'churn', version: 3 },
      time: new Date(t0 + i * 1000).toISOString(),
      input: {
        age: 40 + 10 * rng.normal() + seed,
        income: i % 97 === 0 ? 'n/a' : Number((50_000 * Math.exp(rng.normal())).toPrecision(6)),
        plan: ['basic', 'pro', 'team', `new${seed}`][rng.pick([5, 3, 1, 1])],
      },
      prediction: rng.next() < 0.3 ? 'yes' : 'no',
      latencyMs: 1.25,
    }),
  );
  lines.splice(7, 0, 'not json');
  return `${lines.join('\n')}\n`;
}

/** Blobs of 2025-03-04: hour 05 holds 05:00–05:50, hour 07 also one that runs over into 08:00–08:20. */
const BLOBS: Record<string, [number, string, number]> = {
  'churn-prod/2025/03/04/05/blue-a.jsonl': [1, '2025-03-04T05:00:00Z', 3000],
  'churn-prod/2025/03/04/06/blue-b.jsonl': [2, '2025-03-04T06:00:00Z', 3000],
  'churn-prod/2025/03/04/06/blue-c.jsonl': [3, '2025-03-04T06:30:00Z', 1200],
  'churn-prod/2025/03/04/07/blue-d.jsonl': [4, '2025-03-04T07:40:00Z', 2400],
  'churn-prod/2025/03/04/08/blue-e.jsonl': [5, '2025-03-04T08:25:00Z', 2000],
};

export async function setup() {
  const rng = createRng(9);
  // k = 200: every blob's sketches compact, so merging is exercised, not only exact levels.
  const baseline = await profileBaseline(
    columns,
    Array.from({ length: 3000 }, () => [
      40 + 10 * rng.normal(),
      50_000 * Math.exp(rng.normal()),
      ['basic', 'pro', 'team'][rng.pick([5, 3, 1])],
      rng.next() < 0.3 ? 'yes' : 'no',
    ]),
    { prediction: PREDICTION_COLUMN, sketchK: 200 },
  );
  const store = new FakeDataStore();
  for (const [name, [seed, start, rows]] of Object.entries(BLOBS)) store.blobs.set(`inference-data/${name}`, blobText(seed, start, rows));
  // Listings give eTags bare here and downloads quoted, as Azurite does: the same version either way.
  const list = store.list.bind(store);
  store.list = async (container: string, prefix: string) =>
    (await list(container, prefix)).map((b) => ({ ...b, eTag: b.eTag.replace(/"/g, '') }));
  const reads: string[] = [];
  const readStream = store.readStream.bind(store);
  store.readStream = (ref: BlobRef, options?: { ifMatch?: string }) => {
    reads.push(ref.name);
    return readStream(ref, options);
  };
  return { baseline, store, reads };
}

export function run(store: FakeDataStore, baseline: BaselineProfile, from: string, to: string, summaries = true, pool?: BlobScanPool) {
  const options: AccumulateWindowOptions = {
    data: store,
    endpoint: 'churn-prod',
    from,
    to,
    baseline,
    predictionColumn: PREDICTION_COLUMN,
    deployment: 'blue',
    ...(pool ? { pool } : {}),
  };
  if (summaries) options.summaries = { data: store, container: ARTIFACTS, key: summaryKey(JSON.stringify(baseline), 'blue') };
  return accumulateInferenceWindow(options);
}

/** The window and read counts of a run, as compared between runs. */
export const outcome = async (result: ReturnType<typeof run>) => {
  const { window, stats } = await result;
  return { window: window.toJSON(), stats };
};
