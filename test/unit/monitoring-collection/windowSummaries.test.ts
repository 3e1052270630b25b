import { createRng } from '../../../examples/tabular/lib/random';
import { accumulateInferenceWindow, type AccumulateWindowOptions } from '../../../shared/monitoring/accumulateWindow';
import { PREDICTION_COLUMN } from '../../../shared/monitoring/baseline';
import { summaryKey, summaryName } from '../../../shared/monitoring/blobSummaries';
import { scanInferenceWindow } from '../../../shared/monitoring/scanInferenceWindow';
import { KllSketch, createWindowProfile, profileBaseline, rankErrorBound, type BaselineProfile } from '../../../shared/monitoring/stats';
import type { BlobRef } from '../../../shared/ports';
import { FakeDataStore } from './fakeDataStore';

const columns = ['age', 'income', 'plan', PREDICTION_COLUMN];
const ARTIFACTS = 'artifacts';

/** `rows` records of `deployment` with times from `start` on, one a second, plus a malformed line. */
function blobText(seed: number, start: string, rows: number): string {
  const rng = createRng(seed);
  const t0 = Date.parse(start);
  const lines = Array.from({ length: rows }, (_, i) => JSON.stringify({
    requestId: `r${seed}-${i}`, endpoint: 'churn-prod', environment: 'prod', deployment: i % 11 === 0 ? 'green' : 'blue',
    model: { name: 'churn', version: 3 }, time: new Date(t0 + i * 1000).toISOString(),
    input: { age: 40 + 10 * rng.normal() + seed, income: i % 97 === 0 ? 'n/a' : Number((50_000 * Math.exp(rng.normal())).toPrecision(6)), plan: ['basic', 'pro', 'team', `new${seed}`][rng.pick([5, 3, 1, 1])] },
    prediction: rng.next() < 0.3 ? 'yes' : 'no', latencyMs: 1.25,
  }));
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

async function setup() {
  const rng = createRng(9);
  // k = 200: every blob's sketches compact, so merging is exercised, not only exact levels.
  const baseline = await profileBaseline(columns, Array.from({ length: 3000 }, () => [40 + 10 * rng.normal(), 50_000 * Math.exp(rng.normal()), ['basic', 'pro', 'team'][rng.pick([5, 3, 1])], rng.next() < 0.3 ? 'yes' : 'no']), { prediction: PREDICTION_COLUMN, sketchK: 200 });
  const store = new FakeDataStore();
  for (const [name, [seed, start, rows]] of Object.entries(BLOBS)) store.blobs.set(`inference-data/${name}`, blobText(seed, start, rows));
  // Listings give eTags bare here and downloads quoted, as Azurite does: the same version either way.
  const list = store.list.bind(store);
  store.list = async (container: string, prefix: string) => (await list(container, prefix)).map((b) => ({ ...b, eTag: b.eTag.replace(/"/g, '') }));
  const reads: string[] = [];
  const readStream = store.readStream.bind(store);
  store.readStream = (ref: BlobRef, options?: { ifMatch?: string }) => {
    reads.push(ref.name);
    return readStream(ref, options);
  };
  return { baseline, store, reads };
}

function run(store: FakeDataStore, baseline: BaselineProfile, from: string, to: string, summaries = true) {
  const options: AccumulateWindowOptions = { data: store, endpoint: 'churn-prod', from, to, baseline, predictionColumn: PREDICTION_COLUMN, deployment: 'blue' };
  if (summaries) options.summaries = { data: store, container: ARTIFACTS, key: summaryKey(JSON.stringify(baseline), 'blue') };
  return accumulateInferenceWindow(options);
}

/** The window and read counts of a run, as compared between runs. */
const outcome = async (result: ReturnType<typeof run>) => {
  const { window, stats } = await result;
  return { window: window.toJSON(), stats };
};

describe('per-blob window summaries', () => {
  const W1 = ['2025-03-04T05:00:00.000Z', '2025-03-04T08:00:00.000Z'] as const;
  const W2 = ['2025-03-04T05:55:00.000Z', '2025-03-04T08:55:00.000Z'] as const;

  test('a window merged from stored summaries equals the window read blob by blob, and a sliding window reads only what is new', async () => {
    const { baseline, store, reads } = await setup();
    const cold = await run(store, baseline, ...W1);
    // d runs over the window's end: read, never summarised; a, b, c are.
    expect(cold.summaries).toEqual({ merged: 0, written: 3, unwritten: 0 });
    expect(cold.stats.outsideRange).toBeGreaterThan(0);
    expect(cold.stats.malformed).toBe(4);
    expect(await outcome(run(store, baseline, ...W1, false))).toEqual({ window: cold.window.toJSON(), stats: cold.stats });

    reads.length = 0;
    const warm = await run(store, baseline, ...W1);
    expect(warm.summaries).toMatchObject({ merged: 3, written: 0 });
    expect(reads).toEqual(['churn-prod/2025/03/04/07/blue-d.jsonl']);
    expect({ window: warm.window.toJSON(), stats: warm.stats }).toEqual({ window: cold.window.toJSON(), stats: cold.stats });

    // One window later: a (05:00–05:50) lies wholly before it and is counted from its summary; e is new.
    reads.length = 0;
    const slid = await run(store, baseline, ...W2);
    expect(reads.sort()).toEqual(['churn-prod/2025/03/04/07/blue-d.jsonl', 'churn-prod/2025/03/04/08/blue-e.jsonl']);
    expect(slid.summaries).toMatchObject({ merged: 2 });
    const fresh = new FakeDataStore();
    for (const [key, text] of store.blobs) if (key.startsWith('inference-data/')) fresh.blobs.set(key, text);
    expect({ window: slid.window.toJSON(), stats: slid.stats }).toEqual(await outcome(run(fresh, baseline, ...W2, false)));
  });

  test('the merged window keeps the single-pass counts exactly and its moments to rounding', async () => {
    const { baseline, store } = await setup();
    const merged = (await run(store, baseline, ...W1)).window;
    const single = createWindowProfile(baseline);
    await scanInferenceWindow(store, 'churn-prod', ...W1, single.cellColumns, PREDICTION_COLUMN, (cells) => {
      if (cells.deployment === 'blue') single.addCells(cells.kinds, cells.numbers, cells.others);
    });
    const a = merged.toJSON();
    const b = single.toJSON();
    expect(a.rows).toBe(b.rows);
    a.features.forEach((f, i) => {
      const g = b.features[i]!;
      if (f.type === 'numeric' && g.type === 'numeric') {
        expect(f.binCounts).toEqual(g.binCounts);
        expect([f.count, f.missing, f.typeErrors, f.outOfRange, f.sketch.n]).toEqual([g.count, g.missing, g.typeErrors, g.outOfRange, g.sketch.n]);
        expect(f.moments.mean).toBeCloseTo(g.moments.mean, 9);
        expect(f.moments.m2 / g.moments.m2).toBeCloseTo(1, 9);
      } else expect(f).toEqual(g);
    });
  });

  test('a blob with a new eTag is read again, and a corrupt summary is rebuilt without failing the run', async () => {
    const { baseline, store, reads } = await setup();
    await run(store, baseline, ...W1);
    const key = summaryKey(JSON.stringify(baseline), 'blue');
    store.blobs.set('inference-data/churn-prod/2025/03/04/06/blue-b.jsonl', blobText(7, '2025-03-04T06:00:00Z', 2500));
    store.blobs.set(`${ARTIFACTS}/${summaryName(key, 'churn-prod/2025/03/04/06/blue-c.jsonl')}`, '{"format":1,"key":"trunc');
    store.blobs.set(`${ARTIFACTS}/${summaryName(key, 'churn-prod/2025/03/04/05/blue-a.jsonl')}`, JSON.stringify({ format: 1, key, blob: 'x' }));
    reads.length = 0;
    const warm = await run(store, baseline, ...W1);
    expect(reads.sort()).toEqual(['a.jsonl', 'b.jsonl', 'c.jsonl', 'd.jsonl'].map((f, i) => `churn-prod/2025/03/04/0${[5, 6, 6, 7][i]}/blue-${f}`));
    expect(warm.summaries).toMatchObject({ merged: 0, written: 3 });
    expect(await outcome(Promise.resolve(warm))).toEqual(await outcome(run(store, baseline, ...W1, false)));
    reads.length = 0;
    expect((await run(store, baseline, ...W1)).summaries.merged).toBe(3);
    expect(reads).toEqual(['churn-prod/2025/03/04/07/blue-d.jsonl']);
  });

  test('a KLL sketch merged from 50 per-blob sketches, blob by blob as a window is, stays within rankErrorBound(k)', () => {
    const rng = createRng(21);
    const k = 200;
    const truth = new Float64Array(50 * 4000);
    const window = new KllSketch(k);
    for (let b = 0; b < 50; b++) {
      // Every blob's sketch starts from the same seed, as each blob's window does; the data moves over time.
      const blob = new KllSketch(k);
      for (let i = 0; i < 4000; i++) blob.add((truth[b * 4000 + i] = rng.normal() + b / 25));
      window.merge(KllSketch.fromJSON(JSON.parse(JSON.stringify(blob.toJSON()))));
    }
    truth.sort();
    const { values, weights } = window.weightedItems();
    let worst = 0;
    for (let i = 0, below = 0, cumulative = 0; i < values.length; i++) {
      while (below < truth.length && truth[below]! < values[i]!) below++;
      worst = Math.max(worst, Math.abs(cumulative - below));
      cumulative += weights[i]!;
    }
    expect(window.n).toBe(truth.length);
    expect(window.retained).toBeLessThanOrEqual(3 * k + 64);
    expect(worst / truth.length).toBeLessThanOrEqual(rankErrorBound(k));
  });

  test('summary names come only from blob names of the collector\'s shape, and another baseline or deployment has other summaries', () => {
    expect(summaryName('k', 'churn-prod/2025/03/04/05/blue-a.jsonl')).toBe('drift-summaries/k/churn-prod/2025/03/04/05/blue-a.jsonl.summary.json');
    for (const odd of ['../x/2025/03/04/05/a.jsonl', 'churn-prod/2025/03/04/05/../../a.jsonl', 'churn-prod/2025/03/04/05/a/b.jsonl', 'churn-prod/2025/3/04/05/a.jsonl', 'churn-prod/2025/03/04/05/.jsonl', 'churn-prod/2025/03/04/05/a.json']) {
      expect(summaryName('k', odd)).toBeUndefined();
    }
    expect(summaryKey('{"a":1}', 'blue')).not.toBe(summaryKey('{"a":2}', 'blue'));
    expect(summaryKey('{"a":1}', 'blue')).not.toBe(summaryKey('{"a":1}', 'green'));
  });
});
