import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrialResult } from '../test/chaos/chaosReport';

interface CrashSafetyReport {
  at: string;
  seed: number;
  trials: TrialResult[];
  orphans: number;
  problems: string[];
}

/**
 * Section 12 from the last `npm run test:chaos` (bench/chaos/crash-safety.json): the trials
 * take ~45 min, too long for the bench itself, so the bench reports the suite's own record.
 */
export function chaosSection(root: string): string[] {
  const file = join(root, 'bench/chaos/crash-safety.json');
  const head = ['## 12. Crash safety: SIGKILL of the whole stack at seeded moments (`npm run test:chaos`)', ''];
  if (!existsSync(file)) return [...head, 'Not run on this machine yet: `npm run test:chaos` writes bench/chaos/crash-safety.json.', ''];
  const r = JSON.parse(readFileSync(file, 'utf8')) as CrashSafetyReport;
  const stages = [...new Set(r.trials.map((t) => t.target))];
  const quantile = (values: number[], q: number) =>
    [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
  const seconds = (v: number) => `${v.toFixed(1)} s`;
  const count = (values: string[]) =>
    Object.entries(values.reduce<Record<string, number>>((m, v) => ((m[v] = (m[v] ?? 0) + 1), m), {}))
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
  const all = r.trials.map((t) => t.recoverySeconds);
  return [
    ...head,
    `${r.trials.length} trials (seed ${r.seed}, run ${r.at}), ${stages.length} target stages; \`AUTOPILOT_LEASE_SECONDS=20\`. Each upload ended in`,
    `${r.trials.every((t) => t.releases === 1) ? 'exactly one release' : 'MORE OR FEWER THAN ONE RELEASE'}; outcomes: ${count(r.trials.map((t) => t.status))}; orphan processes: ${r.orphans}; problems: ${r.problems.length ? r.problems.join('; ') : 'none'}.`,
    "Recovery is from the restart to the release's end (a killed stage waits for its lease, then the sweeper's tick).",
    '',
    '| target stage | trials | killed in | outcomes | recovery p50 | max |',
    '| --- | ---: | --- | --- | ---: | ---: |',
    ...stages.map((stage) => {
      const trials = r.trials.filter((t) => t.target === stage);
      const recovery = trials.map((t) => t.recoverySeconds);
      return `| ${stage} | ${trials.length} | ${count(trials.map((t) => t.killedIn))} | ${count(trials.map((t) => t.status))} | ${seconds(quantile(recovery, 0.5))} | ${seconds(Math.max(...recovery))} |`;
    }),
    `| **all** | ${r.trials.length} | | | ${seconds(quantile(all, 0.5))} | ${seconds(Math.max(...all))} |`,
    '',
    ...(r.trials.some((t) => t.status === 'rolled_back')
      ? [
          'Rolled back: the canary judged the candidate (each trial trains on its own 600-row sample) against the stable, e.g. "' +
            r.trials.find((t) => t.status === 'rolled_back')!.reason.slice(0, 160) +
            '…"; equal models are not rolled back (docs/reliability.md, finding 1).',
          '',
        ]
      : []),
  ];
}
