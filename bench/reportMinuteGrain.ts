import { BAD_CANARY_ERROR_RATE, OUR_POLICY, STABLE_ERROR_RATE } from './canarySimulation';
import { RATES, type CanaryMinuteGrainBench, type MinuteGrainRow, type Observation } from './canaryMinuteGrain';

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
const num = (value: number) => (Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(1));
const x = (value: number) => `${value.toFixed(2)}x`;
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

function name(o: Observation): string {
  if (o.kind === 'per-request') return `per-request counts every ${OUR_POLICY.analysisIntervalSeconds} s (local router; section 4)`;
  if (o.kind === 'flagger') return '*Flagger defaults, per-minute checks (section 4, for reference)*';
  return `Azure Monitor minutes, published ${o.delaySeconds} s after the minute`;
}

/** Section 8: what reading Azure Monitor's minute metrics costs the canary analysis in detection speed. */
export function minuteGrainSection(b: CanaryMinuteGrainBench): string[] {
  const baseline = (rps: number) => b.bad.find((r) => r.rps === rps && r.observation.kind === 'per-request')!.summary;
  const badRow = (r: MinuteGrainRow) => {
    const s = r.summary;
    const a = baseline(r.rps);
    return row([
      name(r.observation),
      r.rps,
      pct(s.rolledBack),
      `${num(s.medianSecondsToDecision)} s / ${num(s.p90SecondsToDecision)} s`,
      `**${num(s.medianBadCanaryRequests)}** / ${num(s.p90BadCanaryRequests)}`,
      `**${x(s.medianBadCanaryRequests / a.medianBadCanaryRequests)}**`,
      x(s.medianSecondsToDecision / a.medianSecondsToDecision),
    ]);
  };
  const minuteRows = (rps: number) => b.bad.filter((r) => r.rps === rps && r.observation.kind === 'minute');
  const flagger = (rps: number) => b.bad.find((r) => r.rps === rps && r.observation.kind === 'flagger')!.summary;
  const worstFalse = Math.max(...b.equal.map((r) => r.summary.rolledBack));
  const w = b.asWrittenSettings;
  return [
    // The section before ends without a blank line.
    '',
    '## 8. Bad canary on Azure Monitor minute metrics vs per-request counts, simulated',
    '',
    `Section 4's bad canary (${pct(BAD_CANARY_ERROR_RATE)} vs ${pct(STABLE_ERROR_RATE)} errors, our default policy, seeds 1-${b.runs}, so the same Poisson traffic)`,
    'analysed on what each backend reports. The local router gives per-request counts at every look. The Azure backend',
    '(adapters/azure/workspace/endpointTraffic.ts) reads `RequestsPerMinute` by deployment and status class, complete minutes only, so a',
    'look sees a minute once it has ended and Monitor has published it (`minuteGrainObserver(delay)`, shared/rollout/simulate). Microsoft',
    'documents platform metrics in the metrics database within a minute; pollers of the metrics API wait several minutes for late',
    'aggregation (sources in bench/canaryMinuteGrain.ts). Only the timing of the counts is modelled: latency and class counts are the',
    `simulator's, not the adapter's percentile estimates. Time runs from the first canary request; the ARM call that moves the traffic back`,
    `comes on top. ${b.runs} releases per row; ratios are against per-request counts at the same rate; ${b.cpuSeconds.toFixed(1)} s of CPU.`,
    '',
    `**Bad canary (${pct(BAD_CANARY_ERROR_RATE)} errors), median / p90:**`,
    '',
    row([
      'observation',
      'requests/s',
      'rolled back',
      'time to rollback',
      'failed canary requests',
      'failed requests vs per-request',
      'time vs per-request',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...b.bad.map(badRow),
    '',
    ...RATES.map((rps) => {
      const m = minuteRows(rps).map((r) => r.summary);
      const a = baseline(rps);
      return (
        `- at ${rps} requests/s: Monitor minutes cost ${m.map((s) => x(s.medianBadCanaryRequests / a.medianBadCanaryRequests)).join(' / ')} the failed requests` +
        ` at ${minuteRows(rps)
          .map((r) => (r.observation as { delaySeconds: number }).delaySeconds)
          .join(' / ')} s delay` +
        ` (${m.map((s) => num(s.medianBadCanaryRequests)).join(' / ')} vs ${num(a.medianBadCanaryRequests)}); Flagger's defaults fail ${num(flagger(rps).medianBadCanaryRequests)}.`
      );
    }),
    '',
    'The evidence needed is the same (about four canary errors); the minute grain only delays when the analysis sees it, by up to a',
    'minute plus the publication delay. At 10 requests/s those errors take minutes to arrive anyway, so the wait adds little; at',
    '100 requests/s they arrive within seconds, and every second of the wait serves more failures.',
    '',
    `**Equal canary (${pct(STABLE_ERROR_RATE)} errors, as the stable) on Monitor minutes: false rollbacks (must stay <= alpha = ${pct(b.alpha)}):**`,
    '',
    row(['observation', 'requests/s', 'false rollbacks', 'promoted', 'time to promote, median']),
    row(['---', '---:', '---:', '---:', '---:']),
    ...b.equal.map((r) =>
      row([
        name(r.observation),
        r.rps,
        `${Math.round(r.summary.rolledBack * r.summary.runs)} / ${r.summary.runs} (${pct(r.summary.rolledBack)})`,
        pct(r.summary.promoted),
        `${num(r.summary.medianSecondsToDecision)} s`,
      ]),
    ),
    '',
    `Worst false-rollback rate ${pct(worstFalse)} ${worstFalse <= b.alpha ? '<=' : '**>**'} alpha: summing a minute's requests does not change what the`,
    "test assumes (under no regression a bad event is the canary's with probability canary requests / all requests, pooled over the minute).",
    '',
    `**Reading each minute as soon as it ends**, as endpointTraffic did before it waited \`AUTOPILOT_METRICS_DELAY_SECONDS\` (default 60 s) (\`until\` = end of the last complete minute, no allowance for`,
    `publication; the next look starts there): with a publication delay longer than the ${OUR_POLICY.analysisIntervalSeconds} s between looks, every minute is read before`,
    `Monitor has it and never again, so the analysis sees no traffic. Simulated with a ${w.delaySeconds} s delay, ${w.runs} releases, capped at ${w.maxSeconds} s:`,
    ...b.asWritten.map(
      (r) =>
        `- at ${r.rps} requests/s: rolled back by the analysis ${pct(r.summary.rolledBack)}; ${num(r.summary.medianBadCanaryRequests)} failed canary requests by the cap (median).`,
    ),
    '',
  ];
}
