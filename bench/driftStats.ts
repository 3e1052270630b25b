/**
 * @module Drift statistics at scale: 1,000,000 window rows × 20 features (12 numeric,
 * 8 categorical) against a 200,000-row baseline, streamed in chunks; time and peak RSS of
 * profiling, window accumulation and comparison, and, when Debian's python3-scipy is present,
 * scipy (`ks_2samp`, `wasserstein_distance`, `jensenshannon`) on the same data in the same run.
 * Called by bench/run.ts; `node --import tsx bench/driftStats.ts` runs it alone.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createRng } from '../examples/tabular/lib/random';
import { compareToBaseline, createWindowProfile, profileBaseline, type NumericProfile, type Row } from '../shared/monitoring/stats';

const NUMERIC = 12;
const CATEGORICAL = 8;
const CHUNK = 50_000;
const CARDINALITY = [3, 5, 10, 20, 50, 100, 200, 500];

export interface DriftStatsBench {
  baselineRows: number;
  windowRows: number;
  features: number;
  profileSeconds: number;
  accumulateSeconds: number;
  compareSeconds: number;
  totalSeconds: number;
  /** Largest RSS sampled during the three phases, and the RSS before them (data generation excluded). */
  peakRssMb: number;
  startRssMb: number;
  driftedFeatures: string[];
  scipy: { skipped: string } | { seconds: number; ratio: number; version: string; maxKsDifference: number; maxWassersteinDifference: number; maxJsDifference: number };
}

export interface DriftStatsBenchOptions {
  /** @default 200_000 */ baselineRows?: number;
  /** @default 1_000_000 */ windowRows?: number;
  /** @default 42 */ seed?: number;
}

/** Writes seeded columns to binary files, chunk by chunk: float64 per numeric, int32 codes per categorical. */
function generate(dir: string, part: 'baseline' | 'window', rows: number, seed: number): void {
  const rng = createRng(seed);
  const drift = part === 'window';
  const fds = [...Array(NUMERIC + CATEGORICAL).keys()].map((j) => openSync(join(dir, `${part}_${j}.bin`), 'w'));
  for (let start = 0; start < rows; start += CHUNK) {
    const n = Math.min(CHUNK, rows - start);
    for (let j = 0; j < NUMERIC; j++) {
      const col = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const z = rng.normal();
        // Three features drift in the window: mean +0.2 sd, spread x1.3, a long tail.
        col[i] = j === 0 && drift ? 2 * (z + 0.2) : j === 1 && drift ? 10 + 2.6 * z : j % 3 === 2 ? Math.exp(z + (drift && j === 2 ? 0.15 : 0)) : 10 * j + 2 * z;
      }
      writeSync(fds[j]!, col);
    }
    for (let c = 0; c < CATEGORICAL; c++) {
      const col = new Int32Array(n);
      const k = CARDINALITY[c]!;
      for (let i = 0; i < n; i++) {
        // Zipf-like skew; in the window, feature c0 gets a new category in 3% of rows.
        col[i] = drift && c === 0 && rng.next() < 0.03 ? k : Math.min(k - 1, Math.floor(k * rng.next() ** 2));
      }
      writeSync(fds[NUMERIC + c]!, col);
    }
  }
  fds.forEach((fd) => closeSync(fd));
}

/** Streams rows back from the column files, CHUNK at a time (memory independent of `rows`). */
function* readRows(dir: string, part: string, rows: number): Generator<Row> {
  const fds = [...Array(NUMERIC + CATEGORICAL).keys()].map((j) => openSync(join(dir, `${part}_${j}.bin`), 'r'));
  const names = CARDINALITY.map((k, c) => Array.from({ length: k + 1 }, (_, v) => `c${c}_${v}`));
  try {
    for (let start = 0; start < rows; start += CHUNK) {
      const n = Math.min(CHUNK, rows - start);
      const numeric = fds.slice(0, NUMERIC).map((fd) => {
        const buf = new Float64Array(n);
        readSync(fd, buf);
        return buf;
      });
      const codes = fds.slice(NUMERIC).map((fd) => {
        const buf = new Int32Array(n);
        readSync(fd, buf);
        return buf;
      });
      for (let i = 0; i < n; i++) {
        const row: unknown[] = new Array(NUMERIC + CATEGORICAL);
        for (let j = 0; j < NUMERIC; j++) row[j] = numeric[j]![i];
        for (let c = 0; c < CATEGORICAL; c++) row[NUMERIC + c] = names[c]![codes[c]![i]!];
        yield row;
      }
    }
  } finally {
    fds.forEach((fd) => closeSync(fd));
  }
}

/** scipy on the same files: timed from loaded arrays to statistics (loading excluded). */
const SCIPY = `
import json, sys, time
import numpy as np, scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon
d, meta = sys.argv[1], json.load(open(sys.argv[2]))
load = lambda part, j, t: np.fromfile(f'{d}/{part}_{j}.bin', dtype=t)
num = [(load('baseline', j, '<f8'), load('window', j, '<f8')) for j in range(meta['numeric'])]
cat = [(load('baseline', meta['numeric'] + c, '<i4'), load('window', meta['numeric'] + c, '<i4')) for c in range(len(meta['cardinality']))]
def bins(edges, x):
    last = len(edges) - 1
    i = np.searchsorted(edges, x, side='right')
    i = np.where(x == edges[last], last, i)
    i = np.where(x > edges[last], last + 1, i)
    return np.bincount(i, minlength=last + 2)
started = time.perf_counter()
out = {'ks': [], 'wasserstein': [], 'js': []}
for j, (a, b) in enumerate(num):
    out['ks'].append(float(stats.ks_2samp(a, b, method='asymp').statistic))
    out['wasserstein'].append(float(stats.wasserstein_distance(a, b) / np.std(a)))
    e = meta['edges'][j]
    out['js'].append(float(jensenshannon(bins(e, a), bins(e, b), base=2)))
for c, (a, b) in enumerate(cat):
    # The profile's categories (top 100 by baseline count) and one pooled __other__, as ours.
    listed = np.array(meta['categories'][c], dtype=np.int64)
    k = meta['cardinality'][c] + 1
    ca, cb = np.bincount(a, minlength=k), np.bincount(b, minlength=k)
    pool = lambda counts: np.append(counts[listed], counts.sum() - counts[listed].sum())
    out['js'].append(float(jensenshannon(pool(ca), pool(cb), base=2)))
out['seconds'] = time.perf_counter() - started
out['version'] = scipy.__version__
print(json.dumps(out))
`;

const ScipyOutput = z.object({ ks: z.array(z.number()), wasserstein: z.array(z.number()), js: z.array(z.number()), seconds: z.number(), version: z.string() });
const PYTHON = '/usr/bin/python3';

export async function benchDriftStats(options: DriftStatsBenchOptions = {}): Promise<DriftStatsBench> {
  const baselineRows = options.baselineRows ?? 200_000;
  const windowRows = options.windowRows ?? 1_000_000;
  const seed = options.seed ?? 42;
  const dir = mkdtempSync(join(tmpdir(), 'autopilot-bench-drift-'));
  try {
    generate(dir, 'baseline', baselineRows, seed);
    generate(dir, 'window', windowRows, seed + 1);
    const columns = [...Array(NUMERIC).keys()].map((j) => `n${j}`).concat([...Array(CATEGORICAL).keys()].map((c) => `c${c}`));
    globalThis.gc?.();
    const startRss = process.memoryUsage.rss();
    let peakRss = startRss;
    const sampled = function* (rows: Iterable<Row>): Generator<Row> {
      let i = 0;
      for (const row of rows) {
        if (++i % CHUNK === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
        yield row;
      }
    };
    let t = performance.now();
    const baseline = await profileBaseline(columns, sampled(readRows(dir, 'baseline', baselineRows)));
    const profileSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const window = createWindowProfile(baseline);
    for (const row of sampled(readRows(dir, 'window', windowRows))) window.add(row);
    const accumulateSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const report = compareToBaseline(baseline, window);
    const compareSeconds = (performance.now() - t) / 1000;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const totalSeconds = profileSeconds + accumulateSeconds + compareSeconds;

    let scipy: DriftStatsBench['scipy'];
    const probe = spawnSync(PYTHON, ['-c', 'import scipy'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) scipy = { skipped: 'skipped: scipy not installed (apt-get install python3-scipy)' };
    else {
      const numeric = baseline.features.filter((f): f is NumericProfile => f.type === 'numeric');
      const categories = baseline.features.flatMap((f) => (f.type === 'categorical' ? [f.categories.map((c) => Number(c.value.split('_')[1]))] : []));
      writeFileSync(join(dir, 'meta.json'), JSON.stringify({ numeric: NUMERIC, cardinality: CARDINALITY, edges: numeric.map((f) => f.binEdges), categories }));
      writeFileSync(join(dir, 'stats.py'), SCIPY);
      const run = spawnSync(PYTHON, [join(dir, 'stats.py'), dir, join(dir, 'meta.json')], { encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 20 });
      if (run.status !== 0) scipy = { skipped: `skipped: the scipy run failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr.trim().split('\n').at(-1) ?? ''}` };
      else {
        const s = ScipyOutput.parse(JSON.parse(run.stdout.trim().split('\n').at(-1)!));
        const ours = report.features;
        const diff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
        scipy = {
          seconds: s.seconds,
          ratio: totalSeconds / s.seconds,
          version: s.version,
          maxKsDifference: diff(ours.slice(0, NUMERIC).map((f) => f.metrics.ks!.statistic), s.ks),
          maxWassersteinDifference: diff(ours.slice(0, NUMERIC).map((f) => f.metrics.wasserstein!), s.wasserstein),
          maxJsDifference: diff(ours.map((f) => f.metrics.jensenShannon), s.js),
        };
      }
    }
    return {
      baselineRows,
      windowRows,
      features: columns.length,
      profileSeconds,
      accumulateSeconds,
      compareSeconds,
      totalSeconds,
      peakRssMb: peakRss / 2 ** 20,
      startRssMb: startRss / 2 ** 20,
      driftedFeatures: report.features.filter((f) => f.breached.length > 0).map((f) => `${f.feature} (${f.breached.join(', ')})`),
      scipy,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [baselineRows, windowRows] = process.argv.slice(2).map(Number);
  void benchDriftStats({ ...(baselineRows ? { baselineRows } : {}), ...(windowRows ? { windowRows } : {}) }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
