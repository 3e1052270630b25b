/**
 * Section 15: the evaluation gate's error rates on simulated pairs of models scored on the same
 * held-out rows. Scores are binormal: s = μ·y + √r·shared + √(1 − r)·own, so a model's true AUC
 * is Φ(μ/√2) and two models correlate with r = 0.8, as two models trained on different
 * samples of the same data do. "Equal" pairs share μ (true AUC 0.80); "better" candidates have
 * true AUC 0.80 + Δ. Each replicate runs the gate's own code for binary AUC (delongPaired,
 * normalEvidence, judgeComparison with the default policy) beside today's point comparison with
 * minImprovement 0 (promote when the candidate's AUC ≥ the champion's).
 */
import { mulberry32 } from '../shared/data/split';
import { EvaluationPolicy } from '../shared/config/schema';
import { delongPaired } from '../shared/evaluation/paired/delong';
import { normalEvidence } from '../shared/evaluation/paired/evidence';
import { judgeComparison } from '../shared/evaluation/judgeComparison';
import { normalQuantile } from '../shared/rollout/normal';

const BASE_AUC = 0.8;
const CORRELATION = 0.8;
const PREVALENCE = 0.3;
export const SIZES = [1_000, 10_000, 100_000] as const;
export const DELTAS = [0, 0.01, 0.02, 0.05] as const;
/** Replicates per cell: fewer at 100k rows (one DeLong test there takes ~0.2 s) keeps the section near two minutes of CPU. */
const REPLICATES: Record<number, { equal: number; better: number }> = {
  1_000: { equal: 10_000, better: 1000 },
  10_000: { equal: 800, better: 200 },
  100_000: { equal: 150, better: 30 },
};

export interface GateCell {
  rows: number;
  delta: number;
  replicates: number;
  /** Share promoted by the paired gate (default policy: alpha 0.05, keepChampion). */
  gate: number;
  /** Share the gate rejected (significantly worse). */
  gateRejected: number;
  /** Share today's point comparison (minImprovement 0) promoted. */
  point: number;
}

export interface GateSimulationBench {
  alpha: number;
  cells: GateCell[];
  cpuSeconds: number;
}

export function benchGateSimulation(): GateSimulationBench {
  const started = process.cpuUsage();
  const policy = EvaluationPolicy.parse({});
  const cells: GateCell[] = [];
  let seed = 1;
  for (const rows of SIZES) {
    for (const delta of DELTAS) {
      const replicates = delta === 0 ? REPLICATES[rows]!.equal : REPLICATES[rows]!.better;
      let gate = 0;
      let gateRejected = 0;
      let point = 0;
      for (let r = 0; r < replicates; r++) {
        const { truth, candidate, champion } = simulatePair(rows, BASE_AUC + delta, BASE_AUC, seed++);
        const d = delongPaired(truth, candidate, champion);
        const judged = judgeComparison(normalEvidence('DeLong', rows, d.difference, Math.sqrt(d.variance)), policy);
        if (judged.passed) gate++;
        if (judged.comparison.outcome === 'reject') gateRejected++;
        if (d.difference >= 0) point++;
      }
      cells.push({ rows, delta, replicates, gate: gate / replicates, gateRejected: gateRejected / replicates, point: point / replicates });
    }
  }
  const used = process.cpuUsage(started);
  return { alpha: policy.alpha, cells, cpuSeconds: (used.user + used.system) / 1e6 };
}

function simulatePair(rows: number, candidateAuc: number, championAuc: number, seed: number) {
  const rng = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const muA = Math.SQRT2 * normalQuantile(candidateAuc);
  const muB = Math.SQRT2 * normalQuantile(championAuc);
  const shared = Math.sqrt(CORRELATION);
  const own = Math.sqrt(1 - CORRELATION);
  const truth: boolean[] = new Array(rows);
  const candidate = new Float64Array(rows);
  const champion = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const y = rng() < PREVALENCE;
    const common = shared * gauss();
    truth[i] = y;
    candidate[i] = (y ? muA : 0) + common + own * gauss();
    champion[i] = (y ? muB : 0) + common + own * gauss();
  }
  return { truth, candidate, champion };
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
/** The 95 % upper bound of a share measured on n replicates (normal approximation, at least 3/n). */
const upper = (share: number, n: number) => Math.min(1, Math.max(share + 1.96 * Math.sqrt((share * (1 - share)) / n), 3 / n));

export function gateSimulationSection(bench: GateSimulationBench): string[] {
  const equal = bench.cells.filter((c) => c.delta === 0);
  const better = bench.cells.filter((c) => c.delta > 0);
  const lines = [
    '## 15. Evaluation gate: false promotions and power, paired DeLong vs point comparison, simulated',
    '',
    `Pairs of binary classifiers scored on the same held-out rows (bench/gateSimulation.ts): binormal scores, true AUC ${BASE_AUC.toFixed(2)} for the champion, prevalence ${PREVALENCE}, the two models' scores correlated at r = ${CORRELATION} (two models trained on different samples of the same data). The gate runs its own code for binary AUC (DeLong, default policy: alpha ${bench.alpha}, one-sided, keepChampion); the point comparison is today's gate with minImprovement 0 (promote when the candidate's AUC is at least the champion's). Replicates per cell: equal pairs ${equal.map((c) => `${c.replicates} at ${c.rows / 1000}k`).join(', ')}; better candidates ${SIZES.map((s) => `${better.find((c) => c.rows === s)!.replicates} at ${s / 1000}k`).join(', ')} rows. ${bench.cpuSeconds.toFixed(0)} s of CPU.`,
    '',
    '**Equal models** (same true AUC): share promoted',
    '',
    '| held-out rows | paired gate | 95 % upper bound | point comparison | gate / point |',
    '|---:|---:|---:|---:|---:|',
    ...equal.map(
      (c) =>
        `| ${c.rows} | **${pct(c.gate)}** | ${pct(upper(c.gate, c.replicates))} | ${pct(c.point)} | ${(c.gate / c.point).toFixed(2)}x |`,
    ),
    '',
    `False-promotion rate ≤ alpha (${bench.alpha}) at every size: **${equal.every((c) => c.gate <= bench.alpha + 1.96 * Math.sqrt((bench.alpha * (1 - bench.alpha)) / c.replicates)) ? 'yes' : 'no'}** (within the simulation's own 95 % error); the point comparison promotes about half.`,
    '',
    '**A truly better candidate** (true AUC 0.80 + ΔAUC): power, the share promoted',
    '',
    '| ΔAUC | held-out rows | paired gate | point comparison | gate rejected it |',
    '|---:|---:|---:|---:|---:|',
    ...better.map((c) => `| ${c.delta.toFixed(2)} | ${c.rows} | **${pct(c.gate)}** | ${pct(c.point)} | ${pct(c.gateRejected)} |`),
    '',
    'The point comparison "finds" a better model more often on few rows because it also promotes every equal or worse one half the time; the gate trades that for a stated error rate, and its power grows with the held-out rows (the verdict says how many rows would settle an inconclusive comparison).',
  ];
  return lines;
}
