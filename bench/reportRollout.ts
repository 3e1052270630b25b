import type { AlertRollbackBench } from './alertRollback';
import {
  FLAGGER_DEFAULTS,
  OUR_POLICY,
  STABLE_ERROR_RATE,
  BAD_CANARY_ERROR_RATE,
  type CanarySimulationBench,
  type SimulatedRow,
} from './canarySimulation';
import { percentile } from './stats';

const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '-' : value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
const int = (value: number) => Math.round(value).toLocaleString('en-US');
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const NAMES = { sequential: 'ours (sequential test)', 'fixed-threshold': 'Flagger defaults (fixed threshold)' } as const;

/** Section 4: the analyses on simulated traffic. */
export function simulationSection(sim: CanarySimulationBench): string[] {
  const bad = sim.rows.filter((r) => r.canaryErrorRate === BAD_CANARY_ERROR_RATE);
  const good = sim.rows.filter((r) => r.canaryErrorRate === STABLE_ERROR_RATE);
  const outcomes = (r: SimulatedRow) => [pct(r.summary.rolledBack), pct(r.summary.promoted)].join(' / ');
  const ratioLines = [10, 100].map((rps) => {
    const ours = bad.find((r) => r.rps === rps && r.analysis === 'sequential')!.summary;
    const flagger = bad.find((r) => r.rps === rps && r.analysis === 'fixed-threshold')!.summary;
    return (
      `- at ${rps} requests/s: failed requests served **${(ours.medianBadCanaryRequests / flagger.medianBadCanaryRequests).toFixed(2)}x** ours/Flagger` +
      ` (${ours.medianBadCanaryRequests} vs ${flagger.medianBadCanaryRequests}); time to rollback ${(ours.medianSecondsToDecision / flagger.medianSecondsToDecision).toFixed(2)}x.`
    );
  });
  return [
    '## 4. Bad canary exposure: our analysis vs fixed threshold (Flagger defaults), simulated',
    '',
    `\`summariseCanaries\` (shared/rollout/simulate), ${sim.runs} releases per row, seeds 1-${sim.runs} for both analyses, so both see the same Poisson traffic`,
    `(each request routed at random by weight); stable ${pct(STABLE_ERROR_RATE)} errors. Ours: steps ${OUR_POLICY.steps.join(' -> ')}, a look every ${OUR_POLICY.analysisIntervalSeconds} s,`,
    `${OUR_POLICY.stepSeconds} s bake, default analysis (alpha 0.01, power 0.95). Flagger: interval ${FLAGGER_DEFAULTS.intervalSeconds} s, threshold ${FLAGGER_DEFAULTS.threshold},`,
    `step weight ${FLAGGER_DEFAULTS.stepWeight}, max weight ${FLAGGER_DEFAULTS.maxWeight}, request success rate >= 99 % per interval (docs/canary-analysis.md). Medians over all runs; ${sim.cpuSeconds.toFixed(1)} s of CPU.`,
    '',
    `**Bad canary (${pct(BAD_CANARY_ERROR_RATE)} errors):**`,
    '',
    row([
      'analysis',
      'requests/s',
      'rolled back / promoted',
      'time to rollback',
      'canary requests',
      'failed canary requests',
      'share of all requests served by the canary',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...bad.map((r) =>
      row([
        NAMES[r.analysis],
        r.rps,
        outcomes(r),
        `${r.summary.medianSecondsToDecision} s`,
        int(r.summary.medianRequestsToCanary),
        `**${r.summary.medianBadCanaryRequests}**`,
        pct(r.summary.medianShareServedByCanary),
      ]),
    ),
    '',
    ...ratioLines,
    '',
    'The share served is set by the first step (5 % vs 10 %), not by the analysis; the failed requests and the time are the comparison.',
    '',
    `**Good canary (${pct(STABLE_ERROR_RATE)} errors, as the stable):**`,
    '',
    row(['analysis', 'requests/s', 'rolled back / promoted', 'time to promote', 'canary requests']),
    row(['---', '---:', '---:', '---:', '---:']),
    ...good.map((r) =>
      row([NAMES[r.analysis], r.rps, outcomes(r), `${r.summary.medianSecondsToDecision} s`, int(r.summary.medianRequestsToCanary)]),
    ),
    '',
    'Ours promotes only once a 1 % error rate (3x the stable, floored) would have been caught with 95 % probability, so at 10 requests/s',
    'and a 5 % first step it waits for evidence (about an hour); Flagger promotes after its fixed five intervals whatever the traffic shows.',
    '',
  ];
}

/** Section 5: alert -> stable on the real stack. */
export function alertSection(a: AlertRollbackBench): string[] {
  const s = a.samples;
  const line = (what: string, values: number[]) => row([what, ms(percentile(values, 50)), ms(Math.max(...values))]);
  const defined = (values: (number | undefined)[]) => values.filter((v): v is number => v !== undefined);
  const post = s.map((x) => x.postMs);
  const router = defined(s.map((x) => x.stableOnlyByMs));
  return [
    '## 5. Alert received -> 100 % of traffic on stable (embedded stack)',
    '',
    `Pipeline \`${a.pipeline}\` (bench/autopilot.yaml): a first release becomes the stable, then each round uploads another CSV whose release sits in a`,
    `${s[0]?.canaryPercent ?? '?'} % prod canary (bake 600 s; the load generator replays held-out rows meanwhile). Once the release record has \`stage: canary\``,
    'and its canary state, the bench POSTs the Azure Monitor metric alert sample (test/fixtures/alerts/metric-fired.json) with a fresh alertId and',
    "`alertTargetIDs` = the prod endpoint's ARM id to `/api/alerts?code=<function key>`. t0 is just before the POST. Meanwhile one client scores",
    'through the router one request after another and reads `azureml-model-deployment`. The router picks a deployment when a request arrives,',
    'so the switch came after the last probe the canary answered was sent, and before the next probe, the first of the unbroken run of stable',
    'answers, was answered (unless that probe reached the router before the switch and went to the stable by chance, as half do at 50 %).',
    '',
    row(['from t0 to', 'p50', 'max']),
    row(['---', '---:', '---:']),
    line('router: last canary answer (its probe sent; lower bound)', defined(s.map((x) => x.lastCanarySentMs))),
    ...(router.length ? [line('**router: only stable answers** (next probe answered; upper bound)', router)] : []),
    line('**webhook answered** (rollback done)', post),
    line(
      'GET /api/endpoints shows stable at 100 %',
      s.map((x) => x.apiShowsStableMs),
    ),
    row(['*baseline: GET /api/health round trip*', ms(a.health.p50), ms(a.health.max)]),
    '',
    `${s.length} rounds${a.skipped.length ? ` (${a.skipped.length} skipped: ${a.skipped.join('; ')})` : ''}; every webhook answered \`${[...new Set(s.map((x) => x.outcome))].join(', ')}\`.`,
    `Webhook / health round trip at p50: **${(percentile(post, 50) / a.health.p50).toFixed(1)}x**. Probes: ${s.reduce((n, x) => n + x.probes, 0)} in all,`,
    `${s.reduce((n, x) => n + x.failedProbes, 0)} not answered 200, ${s.reduce((n, x) => n + x.canaryAfterPost, 0)} answered by the canary after the webhook had answered.`,
    '',
  ];
}
