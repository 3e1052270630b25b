import { parseConfig } from '../../../shared/config/parseConfig';
import { assessModelQuality, type ScoredRow } from '../../../shared/monitoring/modelQuality';
import { GROUND_TRUTH_CONTAINER } from '../../../shared/monitoring/inferenceRecord';
import { MemoryDataStore } from '../release/fakes';

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
