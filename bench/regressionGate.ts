import { EvaluationPolicy } from '../shared/config/schema';
import { mulberry32 } from '../shared/data/split';
import { decideGate } from '../shared/evaluation/gate';
import { regressionMetrics } from '../shared/evaluation/regressionMetrics';

export interface RegressionGateRow {
  metric: string;
  rows: number;
  /** Share of pairs promoted when the two regressors are equally good. */
  equalPromoted: number;
  /** Share promoted when the candidate's error spread is 10 % smaller. */
  betterPromoted: number;
  pairs: number;
}

/**
 * The regression gate on simulated pairs of regressors: truth ~ N(50, 10), each model's error
 * an independent N(0, sd) per row (equal: both sd 5; better: the candidate's sd 4.5). The paired
 * bootstrap (1000 resamples, alpha 0.05, keepChampion) should promote equal ones at most 5 % of
 * the time.
 */
export async function benchRegressionGate(pairs = 200): Promise<RegressionGateRow[]> {
  const out: RegressionGateRow[] = [];
  for (const metric of ['rmse', 'mae', 'r2'] as const) {
    for (const rows of [200, 1000]) {
      const policy = EvaluationPolicy.parse({ metric, bootstrapSamples: 1000 });
      const promoted = async (candidateSd: number, seed: number) => {
        const random = mulberry32(seed);
        const normal = () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
        const truth = Array.from({ length: rows }, () => 50 + 10 * normal());
        const candidate = truth.map((y) => y + candidateSd * normal());
        const champion = truth.map((y) => y + 5 * normal());
        const m = (p: number[]) => ({ ...regressionMetrics(truth, p) }) as Record<string, number>;
        const decision = await decideGate({ ...policy, seed }, m(candidate), m(champion), {
          regressionRows: { truth, candidate, champion },
        });
        return decision.outcome === 'promote' ? 1 : 0;
      };
      let equal = 0;
      let better = 0;
      for (let seed = 1; seed <= pairs; seed++) {
        equal += await promoted(5, seed);
        better += await promoted(4.5, seed + 100_000);
      }
      out.push({ metric, rows, equalPromoted: equal / pairs, betterPromoted: better / pairs, pairs });
    }
  }
  return out;
}

export function regressionGateSection(rows: RegressionGateRow[]): string[] {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  return [
    '## 17c. The regression gate: false promotions and power, simulated (bench/regressionGate.ts)',
    '',
    'Pairs of regressors on the same held-out rows: truth ~ N(50, 10), errors N(0, 5) for both (equal) or N(0, 4.5) for the',
    `candidate (10 % smaller errors). Paired bootstrap, 1000 resamples, alpha 0.05, ${rows[0]?.pairs ?? 0} seeded pairs per cell.`,
    '',
    '| metric | held-out rows | equal pairs promoted (target <= 5 %) | better candidate promoted |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.metric} | ${r.rows} | ${pct(r.equalPromoted)} | ${pct(r.betterPromoted)} |`),
  ];
}
