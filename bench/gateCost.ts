/**
 * Section 15, second part: what the gate's paired bootstrap costs the host, before (the code at
 * 293a1bf, bench/gateCostBaseline.ts) and after, in the same run: wall time and the longest the
 * event loop was kept from running anything else (perf_hooks.monitorEventLoopDelay), for f1,
 * log_loss and 3-class macro AUC at 1k, 10k and 100k held-out rows with the default 2,000
 * resamples.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mulberry32 } from '../shared/data/split';
import { pairedEvidence, type PairedRows } from '../shared/evaluation/paired/pairedEvidence';
import { LOG_LOSS_EPSILON } from '../shared/evaluation/metrics';
import { baselineBootstrap, baselineF1, baselineMacroAuc, baselineMean, baselineSort } from './gateCostBaseline';

const SIZES = [1_000, 10_000, 100_000] as const;
const METRICS = ['f1', 'log_loss', 'auc'] as const;
const CLASSES = 3;
const SAMPLES = 2000;
const SEED = 42;

export interface GateCostCell {
  metric: (typeof METRICS)[number];
  rows: number;
  beforeSeconds: number;
  afterSeconds: number;
  beforeBlockMs: number;
  afterBlockMs: number;
  afterTest: string;
  beforeInterval: [number, number];
  afterInterval: [number, number];
}

/** n rows of CLASSES classes; each model puts extra mass on the true class, independently. */
function rowsOf(n: number): PairedRows {
  const rng = mulberry32(n);
  const names = Array.from({ length: CLASSES }, (_, k) => String(k));
  const truth = Array.from({ length: n }, () => names[(rng() * CLASSES) | 0]!);
  const model = (lift: number) => {
    const probabilities = truth.map((t) => {
      const raw = names.map((c) => rng() + (c === t ? lift : 0));
      const sum = raw.reduce((a, b) => a + b, 0);
      return raw.map((v) => v / sum);
    });
    return { labels: probabilities.map((p) => names[p.indexOf(Math.max(...p))]!), probabilities, classes: names };
  };
  return { truth, candidate: model(0.62), champion: model(0.6) };
}

/** The gate's work as it was: the same preparation and statistic, one synchronous loop. */
function before(metric: GateCostCell['metric'], rows: PairedRows): Float64Array {
  const index = new Map(rows.candidate.classes!.map((c, k) => [c, k]));
  const n = rows.truth.length;
  const truth = Int32Array.from(rows.truth, (t) => index.get(t)!);
  if (metric === 'f1') {
    const a = Int32Array.from(rows.candidate.labels, (l) => index.get(l)!);
    const b = Int32Array.from(rows.champion.labels, (l) => index.get(l)!);
    return baselineBootstrap(n, (w) => baselineF1(truth, a, CLASSES, w) - baselineF1(truth, b, CLASSES, w), SAMPLES, SEED);
  }
  if (metric === 'log_loss') {
    const loss = (p: readonly number[], t: number) => -Math.log(Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, p[t]!)));
    const diff = Float64Array.from(truth, (t, i) => loss(rows.champion.probabilities![i]!, t) - loss(rows.candidate.probabilities![i]!, t));
    return baselineBootstrap(n, (w) => baselineMean(diff, w), SAMPLES, SEED);
  }
  const perClass = (p: readonly (readonly number[])[]) =>
    Array.from({ length: CLASSES }, (_, k) =>
      baselineSort(
        Float64Array.from(p, (r) => r[k]!),
        Uint8Array.from(truth, (t) => (t === k ? 1 : 0)),
      ),
    );
  const a = perClass(rows.candidate.probabilities!);
  const b = perClass(rows.champion.probabilities!);
  return baselineBootstrap(n, (w) => baselineMacroAuc(a, w) - baselineMacroAuc(b, w), SAMPLES, SEED);
}

/** Wall seconds of `work` and the longest event-loop delay seen while it ran (ms). */
async function measured<T>(work: () => T | Promise<T>): Promise<{ value: T; seconds: number; blockMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  // The histogram records a delay between two of its own ticks: let it tick once before the work.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const started = performance.now();
  const value = await work();
  const seconds = (performance.now() - started) / 1000;
  // One more timer turn, so a block that lasted until the end is recorded.
  await new Promise((resolve) => setTimeout(resolve, 20));
  delay.disable();
  return { value, seconds, blockMs: delay.max / 1e6 };
}

export async function benchGateCost(): Promise<GateCostCell[]> {
  const cells: GateCostCell[] = [];
  for (const rows of SIZES) {
    const data = rowsOf(rows);
    for (const metric of METRICS) {
      const old = await measured(() => before(metric, data));
      const now = await measured(() => pairedEvidence(metric, data, { samples: SAMPLES, seed: SEED }));
      const q = (r: Float64Array, p: number) => r[Math.min(r.length - 1, Math.floor(p * r.length))]!;
      cells.push({
        metric,
        rows,
        beforeSeconds: old.seconds,
        afterSeconds: now.seconds,
        beforeBlockMs: old.blockMs,
        afterBlockMs: now.blockMs,
        afterTest: now.value.test,
        beforeInterval: [q(old.value, 0.05), q(old.value, 0.95)],
        afterInterval: now.value.interval(0.05),
      });
      console.log(
        `   ${metric} ${rows}: ${old.seconds.toFixed(2)} s -> ${now.seconds.toFixed(2)} s, loop blocked ${old.blockMs.toFixed(0)} -> ${now.blockMs.toFixed(0)} ms`,
      );
    }
  }
  return cells;
}

const ci = ([low, high]: [number, number]) => `${low.toFixed(4)} to ${high.toFixed(4)}`;

export function gateCostSection(cells: GateCostCell[]): string[] {
  return [
    `### 15b. What the gate's bootstrap costs the host (bench/gateCost.ts)`,
    '',
    `f1 (macro), log_loss and macro one-vs-rest AUC over ${CLASSES} classes, ${SAMPLES} resamples (the default), seed ${SEED}; "before" is the code at 293a1bf (bench/gateCostBaseline.ts), "after" the gate's pairedEvidence, in the same process one after the other. "Longest loop block" is the largest event-loop delay perf_hooks.monitorEventLoopDelay saw while the gate ran: how long the host could answer nothing (HTTP, alerts, rollbacks).`,
    '',
    '| metric | rows | before s | after s | before / after | longest loop block before | after | after: test | 90 % CI before | after |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|---|',
    ...cells.map(
      (c) =>
        `| ${c.metric} | ${c.rows} | ${c.beforeSeconds.toFixed(2)} | ${c.afterSeconds.toFixed(2)} | **${(c.beforeSeconds / c.afterSeconds).toFixed(1)}x** | ${c.beforeBlockMs.toFixed(0)} ms | **${c.afterBlockMs.toFixed(0)} ms** | ${c.afterTest} | ${ci(c.beforeInterval)} | ${ci(c.afterInterval)} |`,
    ),
  ];
}
