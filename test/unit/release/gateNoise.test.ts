import { parseBlobCreated } from '../../../shared/events/blobCreated';
import type { ModelSource, ScoreRequest, ScoreResponse } from '../../../shared/ports';
import { harness } from './harness';

/** 2,000 rows where x predicts the label only in part: a good model has AUC about 0.8, not 1. */
function noisyCsv(rows: number, seed: number): string {
  const lines = ['x,color,label'];
  for (let i = 0; i < rows; i++) {
    const x = Math.sin(i * 12.9898 + seed) * 10;
    const labelNoise = Math.sin(i * 78.233 + seed * 3.7) * 9;
    lines.push(`${x.toFixed(3)},${i % 2 ? 'red' : 'blue'},${x + labelNoise > 0 ? 'yes' : 'no'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A model as good as any other of its family: it reads x plus its own noise (two models trained on different samples). */
const noisyModel =
  (modelSeed: number) =>
  (_source: ModelSource, request: ScoreRequest): ScoreResponse => {
    const x = request.input_data.columns.indexOf('x');
    const p = request.input_data.data.map((row) => {
      const v = Number(row[x]);
      return 1 / (1 + Math.exp(-(v / 4 + Math.sin(v * 43.758 * modelSeed + modelSeed) * 1.2)));
    });
    return { predictions: p.map((q) => (q > 0.5 ? 'yes' : 'no')), probabilities: p.map((q) => [1 - q, q]), classes: ['no', 'yes'] };
  };

describe('the evaluation gate on a second upload from the same distribution', () => {
  it('keeps the champion when the candidate is better only by noise, and says the comparison was inconclusive', async () => {
    const h = harness();
    // What issue 15 measured: with minImprovement 0 the point comparison promotes half of all equal candidates.
    h.deps.config.pipelines['default']!.evaluation.minImprovement = 0;
    h.workspaces.dev.scorer = noisyModel(1);
    h.workspaces.prod.scorer = noisyModel(1);
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', noisyCsv(2000, 1))));
    await h.drain();
    expect((await h.engine.repo.list())[0]!.status).toBe('succeeded');

    h.workspaces.dev.scorer = noisyModel(3);
    await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day2.csv', noisyCsv(2000, 2))));
    await h.drain();
    const second = (await h.engine.repo.list()).find((r) => r.data?.blob.endsWith('day2.csv'))!;
    // The candidate's point estimate is higher: the old gate would have replaced the champion.
    expect(second.metrics.candidate!['auc']).toBeGreaterThan(second.metrics.champion!['auc']!);
    expect(second.status).toBe('rejected');
    // Two different uploads: the champion was trained on none of these held-out rows (docs/holdout.md).
    const rows = second.data!.holdoutRows!;
    expect(second.data!.compared).toEqual({ rows, excluded: 0, championRows: 'known', conclusive: true });
    expect(second.gate).toMatchObject({
      passed: false,
      outcome: 'inconclusive',
      comparison: { test: 'DeLong', rows, rowsNeeded: expect.any(Number) },
    });
    expect(second.reason).toMatch(
      new RegExp(
        `^evaluation gate: auc 0\\.\\d{4} vs champion 0\\.\\d{4}: inconclusive, improvement 0\\.\\d{4} \\(90% CI -0\\.\\d{4} to 0\\.\\d{4}; DeLong p 0\\.\\d+ for improvement ≤ 0\\.0000, on ${rows} held-out rows\\); about \\d+ held-out rows would settle it; the champion stays \\(evaluation\\.inconclusive: keepChampion\\); the champion was trained on none of the ${rows} held-out rows$`,
      ),
    );
    expect((await h.workspaces.prod.getEndpoint('default-prod'))?.traffic).toEqual({ v001: 100 });
  });
});
