import type { AlertRollbackBench } from './alertRollback';
import type { CanarySimulationBench } from './canarySimulation';
import type { TriggerSample } from './latency';
import { alertSection, simulationSection } from './reportRollout';
import { routerSection } from './reportRouter';
import type { RouterBench } from './routerThroughput';
import type { SklearnBench } from './sklearn';
import { summarize, type Summary } from './stats';
import type { TrainerBench } from './trainer';
import type { ReleaseWallTime } from './wallTime';
import type { DriftStatsBench } from './driftStats';
import { driftSection } from './reportDrift';
import type { CanaryMinuteGrainBench } from './canaryMinuteGrain';
import { minuteGrainSection } from './reportMinuteGrain';

export interface BenchResults {
  date: string;
  node: string;
  cpus: string;
  loadAverage: string;
  jobPollSeconds: string;
  trainer: TrainerBench;
  sklearn: SklearnBench;
  latency: TriggerSample[];
  wall: ReleaseWallTime[];
  scoring: Summary;
  simulation: CanarySimulationBench;
  alert: AlertRollbackBench;
  router: RouterBench;
  drift: DriftStatsBench;
  minuteGrain: CanaryMinuteGrainBench;
  totalSeconds: number;
}

const ms = (value: number) => `${Math.round(value)} ms`;
const ratio = (value: number) => `${value.toFixed(1)}x`;
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

/** bench/RESULTS.md: header, one table per measurement, ratios against same-run baselines. */
export function renderReport(r: BenchResults): string {
  return [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${r.date}; overwritten by each run.`,
    `Node ${r.node}, ${r.cpus}, load average at start ${r.loadAverage}; whole bench took ${r.totalSeconds.toFixed(0)} s.`,
    'The machine is shared and noisy: compare the ratios (against a baseline measured in the same run) across runs, not the raw times.',
    '',
    ...latencySection(r),
    ...wallSection(r),
    ...trainerSection(r),
    ...simulationSection(r.simulation),
    ...alertSection(r.alert),
    ...routerSection(r.router),
    ...driftSection(r.drift),
    ...minuteGrainSection(r.minuteGrain),
  ].join('\n');
}

function latencySection(r: BenchResults): string[] {
  const upload = summarize(r.latency.map((s) => s.uploadMs));
  const created = summarize(r.latency.map((s) => s.releaseCreatedMs));
  const stage = summarize(r.latency.map((s) => s.trainStageMs));
  const job = summarize(r.latency.map((s) => s.jobStartedMs));
  const line = (what: string, s: Summary) => row([what, ms(s.p50), ms(s.p99), ms(s.min), ms(s.max)]);
  return [
    '## 1. Upload -> training job started',
    '',
    `${job.count} distinct CSVs (500 rows each) uploaded one after another to \`training-data/default/\` through the blob port, after one unmeasured warm-up;`,
    'each release ended before the next upload, so no release waited behind another. t0 is when the upload call returned; later times come',
    "from the stack's own records (release `createdAt`, `stages.train.startedAt`, the job's `job.json` `startedAt`). p99 of 20 samples lies between the two largest.",
    'A negative figure means the proxy delivered the event before the upload response reached the client.',
    '',
    row(['from t0 to', 'p50', 'p99', 'min', 'max']),
    row(['---', '---:', '---:', '---:', '---:']),
    line('release created (event delivered)', created),
    line('train stage started', stage),
    line('**training job started**', job),
    line('*baseline: the upload round trip itself*', upload),
    '',
    `Ratio latency / upload time: **${ratio(job.p50 / upload.p50)}** at p50, ${ratio(job.p99 / upload.p99)} at p99.`,
    `Release outcomes: ${countBy(r.latency.map((s) => s.status))} (the bench policy rejects every release after the first at the gate, so none waits through a prod canary; this figure ends at the job's start).`,
    '',
  ];
}

function wallSection(r: BenchResults): string[] {
  const lines = [
    '## 2. Full release wall time (upload -> release ended)',
    '',
    `The example dataset (generateCsv, seed 7) uploaded to a pipeline of its own, so there is no champion and the release runs every stage.`,
    `Train-stage figures include the stage's job polling (AUTOPILOT_JOB_POLL_SECONDS=${r.jobPollSeconds}, the product default); "job process" is the training command alone.`,
    '',
    row(['', ...r.wall.map((w) => `${w.rows.toLocaleString('en-US')} rows (${(w.bytes / 1e6).toFixed(2)} MB)`)]),
    row(['---', ...r.wall.map(() => '---:')]),
    row(['status', ...r.wall.map((w) => w.status + (w.reason ? ` (${w.reason})` : ''))]),
    row(['**wall time**', ...r.wall.map((w) => `**${ms(w.wallMs)}**`)]),
    row(['upload round trip', ...r.wall.map((w) => ms(w.uploadMs))]),
    row(['t0 -> validate started', ...r.wall.map((w) => ms(w.triggerMs))]),
  ];
  const stages = [...new Set(r.wall.flatMap((w) => w.stages.map((s) => s.stage)))];
  for (const stage of stages)
    lines.push(row([`stage \`${stage}\``, ...r.wall.map((w) => cell(w.stages.find((s) => s.stage === stage)?.ms))]));
  lines.push(
    row(['job process (within train)', ...r.wall.map((w) => cell(w.jobMs))]),
    row(['candidate AUC', ...r.wall.map((w) => (w.auc === undefined ? '-' : w.auc.toFixed(4)))]),
    row(['wall time / job process', ...r.wall.map((w) => (w.jobMs ? ratio(w.wallMs / w.jobMs) : '-'))]),
    '',
    `Scoring the deployed model afterwards (POST \`small-prod/score\`, 2 rows, ${r.scoring.count} sequential requests): p50 ${ms(r.scoring.p50)}, p99 ${ms(r.scoring.p99)}.`,
    '',
  );
  return lines;
}

function trainerSection(r: BenchResults): string[] {
  const t = r.trainer;
  const fitMs = t.medianFitSeconds * 1000;
  const sk = r.sklearn;
  return [
    `## 3. Example trainer on ${t.rows.toLocaleString('en-US')} x ${t.features} (in process)`,
    '',
    `\`benchFit({ rows: ${t.rows}, features: ${t.features}, seed: 42 })\` ${t.runs.length} times: preprocessing (type inference, standardization, one-hot: ${t.width} model inputs)`,
    'plus the L-BFGS fit on 80 % of the rows, AUC on the 20 % held out. Baseline: one plain loss+gradient pass over the same encoded training matrix (median of 3 passes before each fit).',
    '',
    row(['run', 'fit time', 'iterations', 'held-out AUC', 'accuracy']),
    row(['---', '---:', '---:', '---:', '---:']),
    ...t.runs.map((run, i) => row([i + 1, `${run.fitSeconds.toFixed(2)} s`, run.iterations, run.auc.toFixed(4), run.accuracy.toFixed(4)])),
    row(['**median**', `**${t.medianFitSeconds.toFixed(2)} s**`, '', `**${t.medianAuc.toFixed(4)}**`, '']),
    '',
    row(['figure', 'value']),
    row(['---', '---:']),
    row(['fit time / L-BFGS iterations (preprocessing included)', ms(t.msPerIteration)]),
    row(['baseline: one loss+gradient pass', ms(t.gradientPassMs)]),
    row(['fit time / one pass', ratio(fitMs / t.gradientPassMs)]),
    row(['per iteration / one pass', ratio(t.msPerIteration / t.gradientPassMs)]),
    ...('skipped' in sk
      ? [row(['scikit-learn LogisticRegression(lbfgs)', sk.skipped])]
      : [
          row([
            `scikit-learn ${sk.version} LogisticRegression(lbfgs) fit`,
            `${sk.fitSeconds.toFixed(2)} s (${sk.iterations} iterations, AUC ${sk.auc.toFixed(4)})`,
          ]),
          row(['our fit time / scikit-learn', ratio(t.medianFitSeconds / sk.fitSeconds)]),
        ]),
    '',
  ];
}

function cell(value: number | undefined): string {
  return value === undefined ? '-' : ms(value);
}

function countBy(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}
