import { parse } from 'csv-parse/sync';
import { parseBlobCreated } from '../../../shared/events/blobCreated';
import type { Release } from '../../../shared/release/types';
import { csv, harness } from './harness';

/** Uploads `content` as a new blob, drives the release as far as it goes, returns the record. */
async function release(h: ReturnType<typeof harness>, name: string, content: string): Promise<Release> {
  const result = (await h.engine.onDataArrival(parseBlobCreated(await h.upload(name, content)))) as { release: { id: string } };
  await h.drain();
  return (await h.engine.repo.get(result.release.id))!.value;
}

const lines = (n: number, row: (i: number) => string) => 'x,color,label\n' + Array.from({ length: n }, (_, i) => row(i)).join('\n') + '\n';

describe('validate stage (the data gate)', () => {
  it('refuses NaN and Infinity in a numeric column, with counts per column, and trains nothing', async () => {
    const h = harness();
    const data = lines(60, (i) => `${i === 3 || i === 8 ? 'NaN' : i === 5 ? 'Infinity' : i - 30},red,${i % 2 ? 'yes' : 'no'}`);
    const after = await release(h, 'default/nan.csv', data);
    expect(after.status).toBe('rejected');
    expect(after.reason).toContain(
      "training-data/default/nan.csv: non-finite numbers in numeric columns: 'x' (NaN 2, Infinity 1; first at data row 4)",
    );
    expect(after.reason).toContain('set data.nonFinite: missing');
    expect(h.workspaces.dev.submitted).toHaveLength(0);
  });

  it('with data.nonFinite: missing, writes NaN and Infinity as empty cells and reports their counts', async () => {
    const h = harness();
    h.deps.config.pipelines.default!.data.nonFinite = 'missing';
    const data = lines(60, (i) => `${i === 3 ? 'nan' : i === 5 ? '-inf' : i - 30},red,${i % 2 ? 'yes' : 'no'}`);
    const after = await release(h, 'default/nan.csv', data);
    expect(after.stages.validate?.status).toBe('succeeded');
    expect(after.stages.validate?.detail).toContain(
      "NaN/Infinity written as missing (data.nonFinite): 'x' (NaN 1, -Infinity 1; first at data row 4)",
    );
    const written = [after.data!.trainBlob!, after.data!.holdoutBlob!].map((name) =>
      h.data.blobs.get(`autopilot-artifacts/${name}`)!.content.toString(),
    );
    const cells = written.flatMap((text) => (parse(text) as string[][]).slice(1).map((r) => r[0]));
    expect(cells.filter((c) => c === '')).toHaveLength(2);
    expect(cells.some((c) => /nan|inf/i.test(c!))).toBe(false);
  });

  it('refuses a label column with one class per row, saying which setting to fix', async () => {
    const h = harness();
    const after = await release(
      h,
      'default/ids.csv',
      lines(60, (i) => `${i},red,${i}`),
    );
    expect(after.status).toBe('rejected');
    expect(after.reason).toMatch(/'label' has 60 distinct values in 60 rows \(every row its own class\).*set data\.labelColumn/);
    expect(h.workspaces.dev.submitted).toHaveLength(0);
  });

  it('refuses a class with fewer rows than the holdout needs, naming it and its count', async () => {
    const h = harness();
    const after = await release(
      h,
      'default/rare.csv',
      lines(60, (i) => `${i},red,${i === 7 ? 'maybe' : i % 2 ? 'yes' : 'no'}`),
    );
    expect(after.status).toBe('rejected');
    expect(after.reason).toMatch(/1 class of 'label' has fewer than 2 rows: 'maybe' \(1\); the holdout needs one row of each class/);
    expect(h.workspaces.dev.submitted).toHaveLength(0);
  });

  it('writes the same stratified split for the same data and seed', async () => {
    const h = harness();
    const content = csv(200, 3);
    const [a, b] = [await release(h, 'default/a.csv', content), await release(h, 'default/b.csv', content)];
    const blob = (name: string) => h.data.blobs.get(`autopilot-artifacts/${name}`)!.content.toString();
    expect(blob(a.data!.holdoutBlob!)).toBe(blob(b.data!.holdoutBlob!));
    expect(blob(a.data!.trainBlob!)).toBe(blob(b.data!.trainBlob!));
    const holdout = (parse(blob(a.data!.holdoutBlob!)) as string[][]).slice(1);
    expect(holdout).toHaveLength(a.data!.holdoutRows!);
    expect(new Set(holdout.map((r) => r[2]))).toEqual(new Set(['yes', 'no']));
    expect(a.data!.sha256).toBe(require('node:crypto').createHash('sha256').update(content).digest('hex'));
  });
});

describe('data.trainingSet: all', () => {
  const union = () => {
    const h = harness();
    h.deps.config.pipelines.default!.data.trainingSet = 'all';
    // The same scorer judges every release: a second model only needs to be as good as the first.
    h.deps.config.pipelines.default!.evaluation.minImprovement = 0;
    return h;
  };

  it('trains each release on every file under the prefix and registers the model with the list of files', async () => {
    const h = union();
    const first = await release(h, 'default/2026-11.csv', csv(60, 1));
    const second = await release(h, 'default/2026-12.csv', csv(60, 2));
    // (What the canary makes of it is not this test's business: the harness sends it no traffic.)
    expect([first.stages.register?.status, second.stages.register?.status]).toEqual(['succeeded', 'succeeded']);
    expect(second.data!.rows).toBe(120);
    expect(second.stages.validate?.detail).toMatch(/^2 file\(s\), 120 rows/);
    expect(second.data!.trainingSet!.sources.map((s) => [s.blob, s.eTag, s.rows])).toEqual([
      ['default/2026-11.csv', first.data!.eTag, 60],
      ['default/2026-12.csv', second.data!.eTag, 60],
    ]);
    const manifest = JSON.parse(h.data.blobs.get(`autopilot-artifacts/releases/${second.id}/training-set.json`)!.content.toString());
    expect(manifest.files).toEqual(second.data!.trainingSet!.sources);
    const model = h.workspaces.dev.models.find((m) => m.version === second.model!.version)!;
    expect(model.lineage).toMatchObject({
      trainingSet: `releases/${second.id}/training-set.json`,
      dataUrl: expect.stringContaining('default/2026-12.csv'),
    });
    // The job was given the union's training split.
    const job = h.workspaces.dev.submitted.at(-1)!;
    expect(JSON.stringify(job.inputs)).toContain(`releases/${second.id}/train.csv`);
  });

  it('refuses the release when a file under the prefix has another header, naming that file', async () => {
    const h = union();
    await h.data.write({ container: 'training-data', name: 'default/legacy.csv' }, 'x,label\n1,yes\n');
    const after = await release(h, 'default/new.csv', csv(60, 3));
    expect(after.status).toBe('rejected');
    expect(after.reason).toMatch(
      /training-data\/default\/legacy\.csv: its columns \[x, label\] are not those of default\/new\.csv \[x, color, label\]/,
    );
    expect(h.workspaces.dev.submitted).toHaveLength(0);
  });

  it('says which file a bad row of the union came from', async () => {
    const h = union();
    await h.data.write({ container: 'training-data', name: 'default/a.csv' }, csv(60, 1));
    const after = await release(h, 'default/b.csv', csv(60, 2).replace(/\n[^\n]+\n$/, '\nNaN,red,yes\n'));
    expect(after.status).toBe('rejected');
    expect(after.reason).toMatch(
      /'x' \(NaN 1; first at data row 120\).*\(data rows of the training set by file: default\/a\.csv 1-60, default\/b\.csv 61-120\)$/,
    );
  });

  it("with 'latest' (the default) trains on the arriving file alone", async () => {
    const h = harness();
    await release(h, 'default/a.csv', csv(60, 1));
    const second = await release(h, 'default/b.csv', csv(60, 2));
    expect(second.data!.rows).toBe(60);
    expect(second.data!.trainingSet).toBeUndefined();
  });
});

describe('validate stage and the task', () => {
  // The shape of the diabetes data: a measured quantity, 120 distinct values in 300 rows.
  const measured = lines(300, (i) => `${i},${i % 3 ? 'red' : 'blue'},${25 + ((i * 7) % 120)}`);

  it('refuses a continuous label under task: classification, saying to set task: regression, and trains nothing', async () => {
    const h = harness();
    const after = await release(h, 'default/measured.csv', measured);
    expect(after.status).toBe('rejected');
    expect(after.reason).toMatch(/'label' holds numbers with 120 distinct values in 300 rows .* set `task: regression`/);
    expect(h.workspaces.dev.submitted).toHaveLength(0);
  });

  it('takes the same file under task: regression, reports the target range and passes the task to the job', async () => {
    const h = harness();
    h.deps.config.pipelines.default!.task = 'regression';
    h.deps.config.pipelines.default!.evaluation.metric = 'rmse';
    const after = await release(h, 'default/measured.csv', measured);
    expect(after.stages.validate?.status).toBe('succeeded');
    expect(after.stages.validate?.detail).toMatch(/^300 rows, 2 features, target from 25 to 144; \d+ held out$/);
    expect(h.workspaces.dev.submitted[0]?.optionalInputs?.['task']).toEqual({ type: 'string', value: 'regression' });
  });
});
