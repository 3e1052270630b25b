import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { generateDataset } from '../examples/tabular/lib/generateDataset';
import { predictRows } from '../examples/tabular/lib/predictRows';
import { createRng, shuffledIndices } from '../examples/tabular/lib/random';
import { toCsv } from '../examples/tabular/lib/toCsv';
import { trainRegressor } from '../examples/tabular/lib/trainRegressor';
import { encodeRows } from '../examples/tabular/lib/encodeRows';
import { encodedWidth } from '../examples/tabular/lib/featureSpec';
import { fitFeatures } from '../examples/tabular/lib/fitFeatures';
import { fitRidge } from '../examples/tabular/lib/ridgeRegression';
import { pythonInterpreter } from '../adapters/local/python/pythonInterpreter';
import { regressionMetrics } from '../shared/evaluation/regressionMetrics';
import { median } from './stats';

const L2 = 1e-3;

/**
 * scikit-learn on the same train/test rows, the same preprocessing idea (mean-impute and
 * standardize numbers, one-hot categories capped at 50) and the same penalty: Ridge's alpha is
 * the example's l2 times the training rows (ridgeRegression.ts). LinearRegression is the
 * unpenalised fit. Timed from parsed cells to fitted model, as the TypeScript side is.
 */
const SCRIPT = `
import csv, json, sys, time
import numpy as np, sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

def read(path):
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]
header, train = read(sys.argv[1])
_, test = read(sys.argv[2])
label = header.index('label')
features = [j for j in range(len(header)) if j != label]
def numeric(j):
    try:
        [float(r[j]) for r in train if r[j] != '']
        return True
    except ValueError:
        return False
num = [j for j in features if numeric(j)]
def matrix(body):
    X = np.empty((len(body), len(features)), dtype=object)
    for k, j in enumerate(features):
        X[:, k] = [(float(r[j]) if r[j] != '' else np.nan) if j in num else (r[j] or '__missing__') for r in body]
    return X, np.array([float(r[label]) for r in body])
Xtr, ytr = matrix(train)
Xte, yte = matrix(test)
pos = {j: k for k, j in enumerate(features)}
def pipeline(model):
    pre = ColumnTransformer([
        ('num', make_pipeline(SimpleImputer(strategy='mean'), StandardScaler()), [pos[j] for j in num]),
        ('cat', OneHotEncoder(handle_unknown='ignore', max_categories=50), [pos[j] for j in features if j not in num]),
    ])
    return make_pipeline(pre, model)
out = {'version': sklearn.__version__}
for name, model in [('ridge', Ridge(alpha=${L2} * len(train))), ('linear', LinearRegression())]:
    p = pipeline(model)
    started = time.perf_counter()
    p.fit(Xtr, ytr)
    out[name + 'Seconds'] = time.perf_counter() - started
    out[name + 'R2'] = float(r2_score(yte, p.predict(Xte)))
print(json.dumps(out))
`;

const SklearnRegression = z.object({
  version: z.string(),
  ridgeSeconds: z.number(),
  ridgeR2: z.number(),
  linearSeconds: z.number(),
  linearR2: z.number(),
});

export interface RegressionTrainerBench {
  rows: number;
  features: number;
  runs: { seconds: number; solveSeconds: number; r2: number; sklearn?: z.infer<typeof SklearnRegression> }[];
  /** Why scikit-learn did not run, when it did not. */
  skipped?: string;
}

/** Which interpreter has scikit-learn: AUTOPILOT_PYTHON or python3, else Debian's. */
function sklearnPython(): string | undefined {
  for (const candidate of [pythonInterpreter(), '/usr/bin/python3']) {
    if (spawnSync(candidate, ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  return undefined;
}

/**
 * The example's ridge regression against scikit-learn's Ridge and LinearRegression on the same
 * generated rows (80 % train, 20 % test, seeded), alternating sides so load elsewhere on the
 * machine hits both: fit time and test R².
 */
export function benchRegressionTrainer(rows = 100_000, features = 20, repetitions = 3): RegressionTrainerBench {
  const dataset = generateDataset({ rows, features, seed: 42, task: 'regression' });
  const cells = dataset.rows.map((row) => row.map((cell) => (cell === null ? '' : String(cell))));
  const order = shuffledIndices(cells.length, createRng(42));
  const cut = Math.round(cells.length * 0.8);
  const train = order.slice(0, cut).map((i) => cells[i]!);
  const test = order.slice(cut).map((i) => cells[i]!);
  const labelIndex = dataset.columns.length - 1;
  const python = sklearnPython();
  const dir = mkdtempSync(join(tmpdir(), 'autopilot-bench-regression-'));
  const result: RegressionTrainerBench = { rows, features, runs: [] };
  if (!python) result.skipped = 'scikit-learn not found for AUTOPILOT_PYTHON, python3 or /usr/bin/python3';
  try {
    writeFileSync(join(dir, 'train.csv'), toCsv({ columns: dataset.columns, rows: train }));
    writeFileSync(join(dir, 'test.csv'), toCsv({ columns: dataset.columns, rows: test }));
    writeFileSync(join(dir, 'fit.py'), SCRIPT);
    for (let i = 0; i < repetitions; i++) {
      const started = performance.now();
      const { model } = trainRegressor({ columns: dataset.columns, rows: train }, 'label', { l2: L2, validationFraction: 0 });
      const seconds = (performance.now() - started) / 1000;
      const { predictions } = predictRows(
        model,
        test.map((row) => row.slice(0, labelIndex)),
      );
      const r2 = regressionMetrics(
        test.map((row) => Number(row[labelIndex])),
        predictions,
      ).r2;
      // The solve alone, on the inputs already encoded (untimed): what is left without the preprocessing.
      const features = fitFeatures(
        dataset.columns.slice(0, labelIndex),
        train.map((row) => row.slice(0, labelIndex)),
      );
      const x = encodeRows(
        features,
        train.map((row) => row.slice(0, labelIndex)),
      );
      const solveStarted = performance.now();
      fitRidge(
        x,
        features.reduce((sum, f) => sum + encodedWidth(f), 0),
        train.map((row) => Number(row[labelIndex])),
        L2,
      );
      const solveSeconds = (performance.now() - solveStarted) / 1000;
      let sklearn;
      if (python) {
        const run = spawnSync(python, [join(dir, 'fit.py'), join(dir, 'train.csv'), join(dir, 'test.csv')], {
          encoding: 'utf8',
          timeout: 300_000,
        });
        if (run.status !== 0)
          throw new Error(`bench: the scikit-learn run failed: ${run.stderr.trim().split('\n').at(-1) ?? run.error?.message}`);
        sklearn = SklearnRegression.parse(JSON.parse(run.stdout.trim().split('\n').at(-1)!));
      }
      result.runs.push({ seconds, solveSeconds, r2, ...(sklearn ? { sklearn } : {}) });
      process.stdout.write(
        `  run ${i + 1}: ${seconds.toFixed(2)} s, R² ${r2.toFixed(4)}${sklearn ? `; Ridge ${sklearn.ridgeSeconds.toFixed(2)} s` : ''}\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

export function regressionTrainerSection(bench: RegressionTrainerBench): string[] {
  const m = (values: number[]) => median(values);
  const ts = m(bench.runs.map((r) => r.seconds));
  const r2 = m(bench.runs.map((r) => r.r2));
  const lines = [
    `## 17. Example regressor vs scikit-learn on ${bench.rows.toLocaleString('en-US')} x ${bench.features} (bench/regressionTrainer.ts)`,
    '',
    "`generateDataset({ task: 'regression' })`: the churn-like features, a numeric label (a linear function of the latent score plus noise).",
    `80 % of the rows train, 20 % test (seeded). The example's ridge regression (\`train.ts --task regression\`, l2 ${L2}) and scikit-learn's`,
    'Ridge (alpha = l2 × training rows, the same objective) and LinearRegression, each with mean imputation, standardization and one-hot',
    `encoding, timed from parsed cells to fitted model, ${bench.runs.length} runs alternating sides; medians.`,
    '',
  ];
  const sk = bench.runs.flatMap((r) => (r.sklearn ? [r.sklearn] : []));
  if (sk.length === 0)
    return [...lines, `| example fit | ${ts.toFixed(2)} s | test R² ${r2.toFixed(4)} |`, '', `scikit-learn: skipped (${bench.skipped}).`];
  const ridge = m(sk.map((s) => s.ridgeSeconds));
  const linear = m(sk.map((s) => s.linearSeconds));
  return [
    ...lines,
    '| fit | time | test R² |',
    '| --- | ---: | ---: |',
    `| example (TypeScript, Cholesky) | ${ts.toFixed(2)} s | ${r2.toFixed(4)} |`,
    `| scikit-learn ${sk[0]!.version} Ridge | ${ridge.toFixed(2)} s | ${m(sk.map((s) => s.ridgeR2)).toFixed(4)} |`,
    `| scikit-learn LinearRegression | ${linear.toFixed(2)} s | ${m(sk.map((s) => s.linearR2)).toFixed(4)} |`,
    '',
    `example / Ridge fit time: **${(ts / ridge).toFixed(2)}x**; R² difference (example − Ridge): **${(r2 - m(sk.map((s) => s.ridgeR2))).toExponential(1)}**`,
    '',
    `Of the example's time, the solve (Gram matrix and Cholesky on the encoded inputs) takes ${m(bench.runs.map((r) => r.solveSeconds)).toFixed(2)} s;`,
    'the rest is the preprocessing shared with the classifier (§3), which starts from CSV strings and parses every number, where the',
    'Python side is timed from cells already converted to floats. The models agree: the R² difference is floating-point noise.',
  ];
}
