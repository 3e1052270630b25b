import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startChildStack } from '../devhost/childStack';
import { generateCsv } from '../examples/tabular/generate';
import { BenchClient } from './client';
import { measureReleaseOf, type ReleaseWallTime } from './wallTime';

const ROOT = resolve(__dirname, '..');

export type ExampleReleases = { skipped: string } | { typescript: ReleaseWallTime; sklearn: ReleaseWallTime; python: string };

/**
 * The scikit-learn example's release (train.py in a child Python, score.py in the Python
 * host) against the TypeScript example's on the same number of rows, on one stack, one
 * after the other: the ratio says what Python costs the loop.
 */
export async function measureExampleReleases(): Promise<ExampleReleases> {
  const python = process.env['AUTOPILOT_PYTHON'] || '/usr/bin/python3';
  try {
    execFileSync(python, ['-c', 'import sklearn, pandas, joblib'], { stdio: 'ignore' });
  } catch {
    return {
      skipped: `${python} cannot import sklearn, pandas and joblib (apt-get install python3-sklearn python3-pandas, or set AUTOPILOT_PYTHON)`,
    };
  }
  const sample = readFileSync(join(ROOT, 'examples/sklearn/sample.csv'), 'utf8');
  const rows = sample.trimEnd().split('\n').length - 1;
  const stack = await startChildStack(join(ROOT, 'bench/examples.yaml'), { env: { AUTOPILOT_PYTHON: python } });
  try {
    const client = new BenchClient(stack);
    await client.init();
    const typescript = await measureReleaseOf(client, 'typescript/wall.csv', generateCsv({ rows, seed: 7 }));
    const sklearn = await measureReleaseOf(client, 'sklearn/wall.csv', sample);
    return {
      typescript,
      sklearn,
      python: execFileSync(python, ['-c', 'import sys, sklearn; print(sys.version.split()[0], sklearn.__version__)'], {
        encoding: 'utf8',
      }).trim(),
    };
  } finally {
    await stack.stop();
  }
}

export function exampleReleasesSection(r: ExampleReleases): string[] {
  const head = ['## 14. Release wall time: scikit-learn example vs TypeScript example, same rows', ''];
  if ('skipped' in r) return [...head, `Skipped: ${r.skipped}.`, ''];
  const s = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
  const stages = [...new Set([...r.typescript.stages, ...r.sklearn.stages].map((x) => x.stage))];
  const at = (w: ReleaseWallTime, stage: string) => w.stages.find((x) => x.stage === stage)?.ms;
  const [pyVersion, skVersion] = r.python.split(' ');
  return [
    ...head,
    `Each example's first release (no champion: through staging straight to prod) on ${r.sklearn.rows} rows, one after the other on one embedded stack: the TypeScript trainer and Node scoring server on generated churn data, \`examples/sklearn\` (train.py, score.py; Python ${pyVersion}, scikit-learn ${skVersion}) on the Breast Cancer Wisconsin sample.`,
    '',
    '| | TypeScript | scikit-learn | ratio |',
    '|---|---:|---:|---:|',
    `| status | ${r.typescript.status} | ${r.sklearn.status} | |`,
    `| **wall time** | **${s(r.typescript.wallMs)}** | **${s(r.sklearn.wallMs)}** | **${(r.sklearn.wallMs / r.typescript.wallMs).toFixed(2)}x** |`,
    `| job process | ${s(r.typescript.jobMs)} | ${s(r.sklearn.jobMs)} | ${r.typescript.jobMs && r.sklearn.jobMs ? `${(r.sklearn.jobMs / r.typescript.jobMs).toFixed(2)}x` : '-'} |`,
    ...stages.map((stage) => {
      const [a, b] = [at(r.typescript, stage), at(r.sklearn, stage)];
      return `| stage \`${stage}\` | ${s(a)} | ${s(b)} | ${a && b ? `${(b / a).toFixed(2)}x` : '-'} |`;
    }),
    `| candidate AUC | ${r.typescript.auc?.toFixed(4) ?? '-'} | ${r.sklearn.auc?.toFixed(4) ?? '-'} | |`,
    '',
  ];
}
