import { evidencePower, mixtureLogLR, rejectionThreshold } from './evidencePower';
import type { CanaryAnalysisState, CanaryDecision, MetricEvidence, MetricState } from './types';

/**
 * The verdict on the canary so far: `rollback` as soon as any metric's always-valid test
 * has rejected; `pass` when none has and every metric has enough evidence that its
 * minimum detectable regression would have been caught; otherwise `continue`.
 */
export function decideCanary(state: CanaryAnalysisState): CanaryDecision {
  if (state?.version !== 1) throw new TypeError('decideCanary needs a state made by createCanaryAnalysis (version 1)');
  const evidence = state.metrics.map((m) => toEvidence(state, m));
  const rejected = state.metrics.filter((m) => m.rejected);
  // A metric nobody measured (e.g. latency without thresholds) cannot hold the canary back.
  const measured = state.metrics.filter((m) => m.canary.requests > 0 || m.stable.requests > 0);
  const lacking = measured.filter((m) => !m.sufficient);
  const evidenceSufficient = measured.length > 0 && lacking.length === 0;
  const ignored = state.ignoredClasses.length
    ? [
        `Prediction shares of ${state.ignoredClasses.map((c) => `'${c}'`).join(', ')} and later classes are not analysed (more than ${state.maxClasses} classes; raise maxClasses if the model is a classifier).`,
      ]
    : [];

  if (rejected.length > 0) {
    return { verdict: 'rollback', reasons: [...rejected.map(rejectionReason), ...ignored], evidenceSufficient, evidence };
  }
  if (evidenceSufficient) {
    const n = state.metrics[0]!;
    return {
      verdict: 'pass',
      reasons: [
        `No regression found on ${measured.map(label).join(', ')} (n=${fmtCount(n.canary.requests)} vs ${fmtCount(n.stable.requests)} requests), ` +
          `and each test had at least ${pct(state.power)} power against its minimum detectable regression: the canary may advance.`,
        ...ignored,
      ],
      evidenceSufficient,
      evidence,
    };
  }
  const reasons =
    measured.length === 0
      ? ['No traffic has reached the canary and the stable yet: send traffic (or start the load generator) before deciding.']
      : lacking.map((m) => waitingReason(state, m));
  return { verdict: 'continue', reasons: [...reasons, ...ignored], evidenceSufficient, evidence };
}

function toEvidence(state: CanaryAnalysisState, m: MetricState): MetricEvidence {
  const { power } = evidencePower(state, m);
  return {
    metric: m.id,
    logLR: mixtureLogLR(m),
    threshold: rejectionThreshold(m),
    canaryRate: rate(m.canary),
    stableRate: rate(m.stable),
    requests: { canary: m.canary.requests, stable: m.stable.requests },
    power,
    evidenceSufficient: m.sufficient,
    rejected: m.rejected,
  };
}

function rejectionReason(m: MetricState): string {
  const figures =
    `${pct(rate(m.canary))} on canary vs ${pct(rate(m.stable))} on stable ` +
    `(n=${fmtCount(m.canary.requests)} vs ${fmtCount(m.stable.requests)}${m.kind === 'prediction' ? ' predictions' : ''})`;
  const direction = m.kind === 'prediction' ? (rate(m.canary) > rate(m.stable) ? ' (predicted too often)' : ' (predicted too rarely)') : '';
  return `${capitalise(label(m))} ${figures}${direction}: sequential test rejected at α=${alphaText(m.alpha)}; roll the canary back and compare its ${label(m)} with the stable's.`;
}

function waitingReason(state: CanaryAnalysisState, m: MetricState): string {
  const { risk, rateFloor } = state.minDetectable[m.kind];
  const { power, growthNeeded } = evidencePower(state, m);
  const more =
    Number.isFinite(growthNeeded) && m.canary.requests > 0
      ? `about ${fmtCount(Math.ceil(m.canary.requests * (growthNeeded - 1)))} more canary ${m.kind === 'prediction' ? 'predictions' : 'requests'} at this split`
      : 'canary and stable traffic with some bad events';
  const target = m.kind === 'prediction' ? `a ${risk}× shift` : `${risk}× the stable's rate (at least ${pct(rateFloor)})`;
  return `${capitalise(label(m))}: not enough evidence yet to rule out ${target}: power ${pct(power)} of ${pct(state.power)} needed; needs ${more}.`;
}

function label(m: MetricState): string {
  switch (m.kind) {
    case 'errors':
      return 'error rate';
    case 'latencyP50':
      return "share of requests slower than the stable's p50";
    case 'latencyP99':
      return "share of requests slower than the stable's p99";
    case 'prediction':
      return `share of predictions of class '${m.className}'`;
  }
}

const rate = (arm: { requests: number; events: number }) => (arm.requests > 0 ? arm.events / arm.requests : 0);
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const fmtCount = (n: number) => n.toLocaleString('en-US');
const alphaText = (a: number) => (a >= 0.001 ? a.toFixed(4).replace(/0+$/, '') : a.toExponential(1));

function pct(x: number): string {
  const p = x * 100;
  if (p === 0 || p >= 10) return `${p.toFixed(0)}%`;
  return p >= 1 ? `${p.toFixed(1).replace(/\.0$/, '')}%` : `${p.toPrecision(2)}%`;
}
