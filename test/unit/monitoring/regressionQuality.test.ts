import { parseConfig } from '../../../shared/config/parseConfig';
import { assessModelQuality, type ScoredRow } from '../../../shared/monitoring/modelQuality';
import { GROUND_TRUTH_CONTAINER } from '../../../shared/monitoring/inferenceRecord';
import { MemoryDataStore } from '../release/fakes';
import { PREDICTION_COLUMN, profileForModel } from '../../../shared/monitoring/baseline';
import { compareToBaseline, DriftAccumulator } from '../../../shared/monitoring/stats';

const config = parseConfig(`version: 1
pipelines:
  demand:
    task: regression
    data: { prefix: demand/, labelColumn: units }
    training: { job: examples/tabular/job.yaml }
    deployment: { spec: examples/tabular/deployment.yaml }
    monitoring: { quality: { minLabels: 20, maxDrop: 0.25 } }
`);
const policy = config.pipelines['demand']!;

/** 40 scored requests predicting 100 + i, and their late labels off by `error` each (alternating sign). */
async function assess(error: number, extraLines = '') {
  const data = new MemoryDataStore();
  const scored = new Map<string, ScoredRow>();
  const lines = ['request_id,units'];
  for (let i = 0; i < 40; i++) {
    scored.set(`r${i}`, { prediction: 100 + i, input: {} });
    lines.push(`r${i},${100 + i + (i % 2 ? error : -error)}`);
  }
  await data.write({ container: GROUND_TRUTH_CONTAINER, name: 'demand/labels.csv' }, lines.join('\n') + '\n' + extraLines);
  return assessModelQuality('demand', policy, data, scored, { rmse: 4, mae: 4, r2: 0.9 }, '1970-01-01T00:00:00Z');
}

describe('model quality of a regressor from late labels', () => {
  it('computes rmse, mae and r2 and is content while errors stay near the evaluation', async () => {
    const report = await assess(4.5);
    expect(report.labelled).toBe(40);
    expect(report.metrics['rmse']).toBeCloseTo(4.5, 12);
    expect(report.metrics['mae']).toBeCloseTo(4.5, 12);
    expect(report.degraded).toBe(false);
  });

  it('reports a breach when errors grow past maxDrop as a share of the evaluation error, or r2 drops by more than it', async () => {
    const report = await assess(6);
    expect(report.degraded).toBe(true);
    expect(report.reasons).toContain('rmse 6.000 in production vs 4.000 at evaluation (more than 25% larger)');
    const worse = await assess(12);
    expect(worse.reasons.join('\n')).toMatch(/r2 0\.\d{3} in production vs 0\.900 at evaluation \(drop > 0\.25\)/);
  });

  it('counts a label that is not a number as malformed, and says so', async () => {
    const report = await assess(4, 'r1,lots\n');
    expect(report.malformedRows).toBe(1);
    expect(report.reasons).toContain("1 label rows had no numeric 'units'");
  });
});

describe('model quality of a regressor answering numeric strings, and labels that are not plain decimals', () => {
  async function assessWith(prediction: (i: number) => unknown, label: (i: number) => string) {
    const data = new MemoryDataStore();
    const scored = new Map<string, ScoredRow>();
    const lines = ['request_id,units'];
    for (let i = 0; i < 40; i++) {
      scored.set(`r${i}`, { prediction: prediction(i) as ScoredRow['prediction'], input: {} });
      lines.push(`r${i},${label(i)}`);
    }
    await data.write({ container: GROUND_TRUTH_CONTAINER, name: 'demand/labels.csv' }, lines.join('\n') + '\n');
    return assessModelQuality('demand', policy, data, scored, { rmse: 4, mae: 4, r2: 0.9 }, '1970-01-01T00:00:00Z');
  }

  it('reads numeric-string predictions as the evaluation does (json.dumps of numpy values), instead of reporting nothing', async () => {
    const report = await assessWith(
      (i) => String(100 + i),
      (i) => String(100 + i + (i % 2 ? 12 : -12)),
    );
    expect(report.insufficientLabels).toBe(false);
    expect(report.metrics['rmse']).toBeCloseTo(12, 12);
    expect(report.degraded).toBe(true);
  });

  it('reports no r2 for a window whose labels are all equal (undefined there), rather than a drop to 0', async () => {
    const report = await assessWith(
      (i) => 100 + (i % 2 ? 1 : -1),
      () => '100',
    );
    expect(report.metrics['rmse']).toBeCloseTo(1, 12);
    expect(report.metrics['r2']).toBeUndefined();
    expect(report.degraded).toBe(false);
  });

  it('takes labels only as plain decimals, as the data gate does ("0x64" is no label of 100)', async () => {
    const report = await assessWith(
      (i) => 100 + i,
      (i) => (i === 0 ? '0x64' : i === 1 ? 'Infinity' : String(100 + i)),
    );
    expect(report.malformedRows).toBe(2);
  });
});

describe('prediction drift of a regressor', () => {
  // Numbers spread like a regressor's answers: 2000 holdout predictions around 100.
  const spread = (n: number, centre: number) =>
    Array.from({ length: n }, (_, i) => centre + 20 * Math.sin(i * 12.9898) * Math.cos(i * 4.1414));
  const holdout = Array.from({ length: 2000 }, (_, i) => [i % 50]);

  it('profiles numeric predictions as a numeric feature and flags a shift of their distribution', async () => {
    const profile = await profileForModel(['x'], holdout, spread(2000, 100), undefined, 'regression');
    expect(profile.prediction).toMatchObject({ name: PREDICTION_COLUMN, type: 'numeric', count: 2000 });
    const window = (centre: number) => {
      const accumulator = new DriftAccumulator(profile);
      spread(5000, centre).forEach((p, i) => accumulator.add({ x: i % 50, [PREDICTION_COLUMN]: p }));
      return compareToBaseline(profile, accumulator).prediction!;
    };
    const same = window(100);
    expect(same).toMatchObject({ type: 'numeric', status: 'ok', breached: [] });
    const shifted = window(110);
    expect(shifted.status).toBe('breached');
    expect(shifted.breached).toEqual(expect.arrayContaining(['wasserstein']));
  });

  it("still profiles a classifier's predictions as categories", async () => {
    const profile = await profileForModel(
      ['x'],
      holdout,
      holdout.map((_, i) => (i % 3 ? 'yes' : 'no')),
    );
    expect(profile.prediction).toMatchObject({ type: 'categorical' });
  });
});
