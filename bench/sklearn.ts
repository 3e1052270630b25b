import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { generateCsv } from '../examples/tabular/generate';

export type SklearnBench = { skipped: string } | { fitSeconds: number; auc: number; iterations: number; version: string };

const SklearnOutput = z.object({ fitSeconds: z.number(), auc: z.number(), iterations: z.number(), version: z.string() });

/**
 * Same preprocessing idea as the example trainer (mean-impute + standardize numbers, one-hot
 * categories, L2 logistic regression with lbfgs), timed from parsed cells to fitted model.
 * numpy + csv only besides scikit-learn, since pandas is not guaranteed. C = 1/(l2*n) matches
 * the trainer's penalty (see DEFAULT_L2 in examples/tabular/lib/logisticRegression.ts).
 */
const SCRIPT = `
import csv, json, sys, time
import numpy as np, sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

with open(sys.argv[1], newline='') as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
label = header.index('label')
y = np.array([int(r[label]) for r in body])
features = [j for j in range(len(header)) if j != label]
def numeric(j):
    try:
        [float(r[j]) for r in body if r[j] != '']
        return True
    except ValueError:
        return False
num = [j for j in features if numeric(j)]
cat = [j for j in features if j not in num]
X = np.empty((len(body), len(features)), dtype=object)
for k, j in enumerate(features):
    X[:, k] = [(float(r[j]) if r[j] != '' else np.nan) if j in num else (r[j] or '__missing__') for r in body]
order = np.random.default_rng(42).permutation(len(body))
cut = round(len(body) * 0.8)
train, test = order[:cut], order[cut:]
pos = {j: k for k, j in enumerate(features)}
pre = ColumnTransformer([
    ('num', make_pipeline(SimpleImputer(strategy='mean'), StandardScaler()), [pos[j] for j in num]),
    ('cat', OneHotEncoder(handle_unknown='ignore', max_categories=50), [pos[j] for j in cat]),
])
model = make_pipeline(pre, LogisticRegression(solver='lbfgs', C=1.0 / (1e-3 * len(train)), max_iter=500))
started = time.perf_counter()
model.fit(X[train], y[train])
fit_seconds = time.perf_counter() - started
auc = roc_auc_score(y[test], model.predict_proba(X[test])[:, 1])
print(json.dumps({'fitSeconds': fit_seconds, 'auc': float(auc), 'iterations': int(model[-1].n_iter_[0]), 'version': sklearn.__version__}))
`;

/** Times scikit-learn on the same generated CSV, or says why it was skipped. Never required. */
export function benchSklearn(rows: number, features: number, seed: number): SklearnBench {
  const probe = spawnSync('python3', ['-c', 'import sklearn'], { encoding: 'utf8' });
  if (probe.error) return { skipped: 'skipped: python3 not found' };
  if (probe.status !== 0) return { skipped: 'skipped: scikit-learn not installed' };
  const dir = mkdtempSync(join(tmpdir(), 'autopilot-bench-sklearn-'));
  try {
    const csv = join(dir, 'data.csv');
    writeFileSync(csv, generateCsv({ rows, features, seed }));
    writeFileSync(join(dir, 'fit.py'), SCRIPT);
    const run = spawnSync('python3', [join(dir, 'fit.py'), csv], { encoding: 'utf8', timeout: 180_000 });
    if (run.status !== 0)
      return {
        skipped: `skipped: the scikit-learn run failed (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr.trim().split('\n').at(-1) ?? ''}`,
      };
    return SklearnOutput.parse(JSON.parse(run.stdout.trim().split('\n').at(-1)!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
