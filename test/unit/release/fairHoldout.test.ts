import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBlobCreated } from '../../../shared/events/blobCreated';
import type { ModelSource, ScoreRequest, ScoreResponse } from '../../../shared/ports';
import type { Release } from '../../../shared/release/types';
import { harness } from './harness';

/** The public breast-cancer data set: 569 rows, 30 numeric features, label 1 = benign. */
const SAMPLE = readFileSync(join(__dirname, '../../../examples/sklearn/sample.csv'), 'utf8');
const [HEADER, ...LINES] = SAMPLE.trimEnd().split('\n');
const COLUMNS = HEADER!.split(',');
const LABEL = COLUMNS.indexOf('label');

type Harness = ReturnType<typeof harness>;

/** The same rows in another order: what a second upload of the same data looks like. */
const shuffled = (seed: number) =>
  HEADER +
  '\n' +
  LINES.map((l, i) => ({ l, k: Math.sin(i * 91.7 + seed) }))
    .sort((a, b) => a.k - b.k)
    .map((e) => e.l)
    .join('\n') +
  '\n';
/** A row by its features, as the model sees them (numbers by value). */
const features = (row: unknown[], label = -1) =>
  row
    .filter((_, i) => i !== label)
    .map((v) => String(Number(v)))
    .join(',');
const artifact = (h: Harness, name: string) => h.data.blobs.get(`autopilot-artifacts/${name}`)!.content.toString();
const rowsOf = (csv: string) => (parse(csv) as string[][]).slice(1);

/**
 * A model that memorised its training rows (certain and right on them) and is an honest,
 * imperfect model elsewhere (mean radius alone). Scored on rows it was trained on, it looks
 * perfect: the flattered champion of issue 15. It finds its training rows from the release
 * that trained it (the job's name in dev, the model's lineage in prod).
 */
function memorizing(h: Harness) {
  return async (source: ModelSource, request: ScoreRequest): Promise<ScoreResponse> => {
    const releaseId = 'job' in source ? source.job.replace(/-train$/, '') : (await h.workspaces.prod.getModel(source))!.lineage.releaseId!;
    const known = new Map(rowsOf(artifact(h, `releases/${releaseId}/train.csv`)).map((r) => [features(r, LABEL), r[LABEL]!]));
    const radius = request.input_data.columns.indexOf('mean_radius');
    const p = request.input_data.data.map((row) => {
      const label = known.get(features(row));
      return label !== undefined ? (label === '1' ? 0.99 : 0.01) : 1 / (1 + Math.exp((Number(row[radius]) - 14.5) / 1.5));
    });
    return { predictions: p.map((q) => (q > 0.5 ? '1' : '0')), probabilities: p.map((q) => [1 - q, q]), classes: ['0', '1'] };
  };
}

async function release(h: Harness, name: string, content: string): Promise<Release> {
  const result = (await h.engine.onDataArrival(parseBlobCreated(await h.upload(name, content)))) as { release: { id: string } };
  await h.drain();
  return (await h.engine.repo.get(result.release.id))!.value;
}

async function withMemorizingChampion(): Promise<{ h: Harness; first: Release }> {
  const h = harness();
  h.workspaces.dev.scorer = memorizing(h);
  h.workspaces.prod.scorer = memorizing(h);
  const first = await release(h, 'default/cancer.csv', SAMPLE);
  expect(first.status).toBe('succeeded');
  return { h, first };
}

describe('a fair holdout: the champion is never scored on rows it was trained on', () => {
  it('the same 569 rows uploaded again, shuffled: the second release holds out the same rows, none of them the champion trained on', async () => {
    const { h, first } = await withMemorizingChampion();
    const second = await release(h, 'default/cancer-again.csv', shuffled(1));
    expect(second.stages.evaluate?.status).toBe('succeeded');

    const championTrained = new Set(rowsOf(artifact(h, first.data!.trainBlob!)).map((r) => features(r, LABEL)));
    const heldOut = rowsOf(artifact(h, second.data!.holdoutBlob!)).map((r) => features(r, LABEL));
    expect(heldOut.filter((r) => championTrained.has(r))).toEqual([]);
    expect(new Set(heldOut)).toEqual(new Set(rowsOf(artifact(h, first.data!.holdoutBlob!)).map((r) => features(r, LABEL))));
    expect(second.data!.compared).toEqual({ rows: heldOut.length, excluded: 0, championRows: 'known', conclusive: true });
    // Scored on unseen rows, the memorising champion is only as good as its honest part: no "1.0000 vs 1.0000".
    expect(second.metrics.champion!['auc']).toBeLessThan(0.99);
    expect(second.metrics.champion!['auc']).toBeCloseTo(second.metrics.candidate!['auc']!, 10);
    expect(second.gate!.reason).toContain(`the champion was trained on none of the ${heldOut.length} held-out rows`);
  });

  it('after evaluation.holdoutFraction grows, leaves out the rows the champion was trained on, for both models, and says how many', async () => {
    const { h, first } = await withMemorizingChampion();
    h.deps.config.pipelines['default']!.evaluation.holdoutFraction = 0.3;
    const second = await release(h, 'default/cancer-again.csv', shuffled(2));

    const championTrained = new Set(rowsOf(artifact(h, first.data!.trainBlob!)).map((r) => features(r, LABEL)));
    const heldOut = rowsOf(artifact(h, second.data!.holdoutBlob!)).map((r) => features(r, LABEL));
    const excluded = heldOut.filter((r) => championTrained.has(r)).length;
    expect(excluded).toBeGreaterThan(20);
    expect(second.data!.compared).toEqual({ rows: heldOut.length - excluded, excluded, championRows: 'known', conclusive: true });
    expect(second.gate!.reason).toContain(
      `compared on ${heldOut.length - excluded} held-out rows; ${excluded} left out: the champion was trained on them`,
    );
    expect(second.metrics.champion!['auc']).toBeLessThan(0.99);
    expect(second.gate!.comparison?.rows).toBe(heldOut.length - excluded);
  });

  it('does not promote when too few held-out rows are left: the comparison is inconclusive and says why', async () => {
    const { h, first } = await withMemorizingChampion();
    // Another seed reshuffles the split: about 80% of the new holdout was the champion's training data.
    h.deps.config.pipelines['default']!.evaluation.seed = 7;
    h.deps.config.pipelines['default']!.evaluation.holdoutFraction = 0.05;
    const second = await release(h, 'default/cancer-again.csv', shuffled(3));
    const compared = second.data!.compared!;
    expect(compared).toMatchObject({ championRows: 'known', conclusive: false });
    expect(compared.rows).toBeLessThan(20);
    expect(second.status).toBe('rejected');
    expect(second.gate).toMatchObject({ passed: false });
    expect(second.reason).toMatch(
      new RegExp(
        `inconclusive: the champion was trained on ${compared.excluded} of the ${compared.rows + compared.excluded} held-out rows, and the ${compared.rows} left \\((fewer than 20|none of class '[01]')\\) are too few to compare on, so the champion stays`,
      ),
    );
    expect((await h.workspaces.prod.getEndpoint('default-prod'))?.traffic).toEqual({ v001: 100 });
    expect(first.status).toBe('succeeded');
  });

  it("says so when the champion's training rows are unknown (a model from before they were recorded)", async () => {
    const { h, first } = await withMemorizingChampion();
    h.data.blobs.delete(`autopilot-artifacts/${first.data!.trainingRowsBlob!}`);
    const second = await release(h, 'default/cancer-again.csv', shuffled(4));
    expect(second.data!.compared).toEqual({ rows: second.data!.holdoutRows, excluded: 0, championRows: 'unknown', conclusive: true });
    expect(second.gate!.reason).toContain(
      `the champion's training rows are unknown (release ${first.id} recorded none: it ran before training rows were recorded), so it may have been trained on some of them`,
    );
  });

  it('with data.trainingSet: all, a union that repeats older rows trains on none of the held-out rows, in this release or the last', async () => {
    const h = harness();
    h.deps.config.pipelines['default']!.data.trainingSet = 'all';
    h.workspaces.dev.scorer = memorizing(h);
    h.workspaces.prod.scorer = memorizing(h);
    const first = await release(h, 'default/a.csv', HEADER + '\n' + LINES.slice(0, 400).join('\n') + '\n');
    // A snapshot: the older rows again, shuffled, with the rest.
    const second = await release(h, 'default/b.csv', shuffled(5));
    const key = (r: string[]) => features(r, LABEL);
    const trained = new Set(rowsOf(artifact(h, second.data!.trainBlob!)).map(key));
    expect(second.data!.trainingSet?.sources.map((s) => s.blob)).toEqual(['default/a.csv', 'default/b.csv']);
    expect(trained.size).toBeGreaterThan(400);
    for (const r of [first, second]) {
      expect(
        rowsOf(artifact(h, r.data!.holdoutBlob!))
          .map(key)
          .filter((k) => trained.has(k)),
      ).toEqual([]);
    }
    expect(second.data!.compared).toMatchObject({ excluded: 0, championRows: 'known' });
  });
});
