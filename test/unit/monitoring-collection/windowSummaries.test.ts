import { createRng } from '../../../examples/tabular/lib/random';
import { PREDICTION_COLUMN } from '../../../shared/monitoring/baseline';
import { summaryKey, summaryName } from '../../../shared/monitoring/blobSummaries';
import { scanInferenceWindow } from '../../../shared/monitoring/scanInferenceWindow';
import { KllSketch, createWindowProfile, rankErrorBound } from '../../../shared/monitoring/stats';
import { FakeDataStore } from './fakeDataStore';
import { ARTIFACTS, blobText, outcome, run, setup } from './windowFixture';

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
        expect([f.count, f.missing, f.typeErrors, f.outOfRange, f.sketch.n]).toEqual([
          g.count,
          g.missing,
          g.typeErrors,
          g.outOfRange,
          g.sketch.n,
        ]);
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
    store.blobs.set(
      `${ARTIFACTS}/${summaryName(key, 'churn-prod/2025/03/04/05/blue-a.jsonl')}`,
      JSON.stringify({ format: 1, key, blob: 'x' }),
    );
    reads.length = 0;
    const warm = await run(store, baseline, ...W1);
    expect(reads.sort()).toEqual(
      ['a.jsonl', 'b.jsonl', 'c.jsonl', 'd.jsonl'].map((f, i) => `churn-prod/2025/03/04/0${[5, 6, 6, 7][i]}/blue-${f}`),
    );
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

  test("summary names come only from blob names of the collector's shape, and another baseline or deployment has other summaries", () => {
    expect(summaryName('k', 'churn-prod/2025/03/04/05/blue-a.jsonl')).toBe(
      'drift-summaries/k/churn-prod/2025/03/04/05/blue-a.jsonl.summary.json',
    );
    for (const odd of [
      '../x/2025/03/04/05/a.jsonl',
      'churn-prod/2025/03/04/05/../../a.jsonl',
      'churn-prod/2025/03/04/05/a/b.jsonl',
      'churn-prod/2025/3/04/05/a.jsonl',
      'churn-prod/2025/03/04/05/.jsonl',
      'churn-prod/2025/03/04/05/a.json',
    ]) {
      expect(summaryName('k', odd)).toBeUndefined();
    }
    expect(summaryKey('{"a":1}', 'blue')).not.toBe(summaryKey('{"a":2}', 'blue'));
    expect(summaryKey('{"a":1}', 'blue')).not.toBe(summaryKey('{"a":1}', 'green'));
  });
});
