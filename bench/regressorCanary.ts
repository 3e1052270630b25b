import { predictionBinEdges } from '../shared/rollout/predictionBins';
import { simulateRegressorCanaries } from '../shared/rollout/simulate';

const Z = { p25: -0.6744897501960817, p75: 0.6744897501960817 };

export interface RegressorCanaryRow {
  name: string;
  runs: number;
  rolledBack: number;
  promoted: number;
  undecided: number;
  medianSeconds: number;
}

/**
 * The canary's prediction check on a regressor, simulated: stable predictions ~ N(100, 15),
 * binned at their quartiles (predictionBins.ts); the canary equal, biased, or noisier. Poisson
 * traffic at 20 requests/s, the default steps and analysis (alpha 0.01), as section 4.
 */
export function benchRegressorCanary(runs = 200): RegressorCanaryRow[] {
  const edges = predictionBinEdges(Object.fromEntries(Object.entries(Z).map(([q, z]) => [q, 100 + 15 * z])));
  const cases: [string, number, number][] = [
    ['equal', 100, 15],
    ['bias 0.1 sd', 101.5, 15],
    ['bias 0.25 sd', 103.75, 15],
    ['bias 0.5 sd', 107.5, 15],
    ['1.25x the spread', 100, 18.75],
    ['1.5x the spread', 100, 22.5],
  ];
  return cases.map(([name, mean, sd]) => {
    const run = simulateRegressorCanaries(edges, { mean: 100, sd: 15 }, { mean, sd }, runs);
    return {
      name,
      runs,
      rolledBack: run.rolled_back,
      promoted: run.promoted,
      undecided: run.undecided,
      medianSeconds: run.seconds[Math.floor(runs / 2)]!,
    };
  });
}

export function regressorCanarySection(rows: RegressorCanaryRow[]): string[] {
  const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;
  return [
    "## 17b. A regressor's canary: predictions in quartile bins, simulated (bench/regressorCanary.ts)",
    '',
    "Stable predictions ~ N(100, 15); the canary's bins are cut at the stable's quartiles (shared/rollout/predictionBins.ts), so each bin's",
    "share is tested as a classifier's class share is (two-sided, always valid, alpha 0.01 per release). Poisson traffic at 20 requests/s,",
    `default steps [5, 25, 50, 100], ${rows[0]?.runs ?? 0} seeded releases per row.`,
    '',
    '| canary predictions | rolled back | promoted | undecided (4 h) | median time to decision |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${pct(r.rolledBack, r.runs)} | ${pct(r.promoted, r.runs)} | ${pct(r.undecided, r.runs)} | ${r.medianSeconds} s |`,
    ),
    '',
    'Equal regressors: the false-rollback rate is the first row (alpha is 1 %). A bias of 0.1 sd, about what a retrain on more of the',
    'same data moves predictions by, mostly passes; 0.25 sd and a 1.5x wider spread are always rolled back. Six bins (deciles and',
    "quartiles) caught more, but rolled back the e2e test's retrained diabetes model, as good as the first: replayed held-out rows",
    'crossing a bin edge count as evidence every time they are replayed.',
  ];
}
