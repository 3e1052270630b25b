import { newMetric } from './createCanaryAnalysis';
import { evidencePower, mixtureLogLR, rejectionThreshold } from './evidencePower';
import { logRatioTerms } from './likelihoodRatio';
import type { DeploymentCounts, CanaryAnalysisState, CanaryInterval, MetricState } from './types';
import { validateInterval } from './validateInterval';

// Module constants, not global lookups: under Jest's vm sandbox each global access is slow
// enough to dominate long simulations.
const { keys, values } = Object;

/**
 * Folds one interval into the analysis and returns the new state (the input is not changed).
 * Each metric is a pair (bad events, denominator) per arm; see likelihoodRatio.ts for the test.
 */
export function updateCanaryAnalysis(state: CanaryAnalysisState, interval: CanaryInterval): CanaryAnalysisState {
  if (state?.version !== 1) throw new TypeError('updateCanaryAnalysis needs a state made by createCanaryAnalysis (version 1)');
  validateInterval(interval);
  const next: CanaryAnalysisState = {
    ...state,
    ignoredClasses: [...state.ignoredClasses],
    intervals: state.intervals + 1,
    metrics: state.metrics.map(copyMetric),
  };
  addDiscoveredClasses(next, interval);

  const predicted = (arm: DeploymentCounts) => values(arm.predictions).reduce((a, b) => a + b, 0);
  const canaryPredicted = predicted(interval.canary);
  const stablePredicted = predicted(interval.stable);
  const { canary, stable } = interval;
  for (const metric of next.metrics) {
    switch (metric.kind) {
      case 'errors':
        observe(metric, canary.requests, canary.errors, stable.requests, stable.errors);
        break;
      case 'latencyP50':
      case 'latencyP99': {
        const i = metric.kind === 'latencyP50' ? 0 : 1;
        // Latency not measured in this interval (no thresholds yet): nothing to compare.
        if (canary.slowerThan.length > i) observe(metric, canary.requests, canary.slowerThan[i]!, stable.requests, stable.slowerThan[i]!);
        break;
      }
      case 'prediction': {
        // Class shares are of successful answers, so an error-prone canary is not also a class shift.
        const cls = metric.className!;
        observe(metric, canaryPredicted, canary.predictions[cls] ?? 0, stablePredicted, stable.predictions[cls] ?? 0);
        break;
      }
    }
    // Both latch: Ville's inequality bounds the first crossing, and evidence once sufficient stays so.
    if (!metric.rejected && mixtureLogLR(metric) >= rejectionThreshold(metric)) metric.rejected = true;
    if (!metric.sufficient && evidencePower(next, metric).sufficient) metric.sufficient = true;
  }
  return next;
}

function observe(metric: MetricState, canaryN: number, canaryX: number, stableN: number, stableX: number): void {
  metric.canary.requests += canaryN;
  metric.canary.events += canaryX;
  metric.stable.requests += stableN;
  metric.stable.events += stableX;
  // With one arm empty the split says nothing about the rates (w = 0 or 1 gives LR = 1).
  if (canaryN === 0 || stableN === 0) return;
  const w = canaryN / (canaryN + stableN);
  for (let j = 0; j < metric.risks.length; j++) {
    const t = logRatioTerms(metric.risks[j]!, w);
    // x = 0 adds nothing to the test, but the requests still add to what it could detect.
    metric.logLR[j]! += canaryX * t.canary + stableX * t.stable;
    metric.canaryDrift[j]! += canaryN * t.canary;
    metric.stableDrift[j]! += stableN * t.stable;
    metric.canarySquare[j]! += canaryN * t.canary * t.canary;
    metric.stableSquare[j]! += stableN * t.stable * t.stable;
  }
}

/**
 * Classes first seen now get a metric with alpha share/2, share/4, … (see createCanaryAnalysis).
 * A class seen only in the stable arm gets one too: the canary may have stopped predicting it.
 */
function addDiscoveredClasses(state: CanaryAnalysisState, interval: CanaryInterval): void {
  const known = new Set(state.metrics.filter((m) => m.kind === 'prediction').map((m) => m.className!));
  const fresh = new Set<string>();
  for (const predictions of [interval.canary.predictions, interval.stable.predictions]) {
    for (const cls of keys(predictions)) {
      if (predictions[cls]! > 0 && !known.has(cls) && !state.ignoredClasses.includes(cls)) fresh.add(cls);
    }
  }
  // Sorted, so the alpha shares do not depend on the order of keys in the router's JSON.
  for (const cls of [...fresh].sort()) {
    if (known.size >= state.maxClasses) {
      // Only a few names are kept: they serve the reason given to a person, and the state must stay small.
      if (state.ignoredClasses.length < 10) state.ignoredClasses.push(cls);
      continue;
    }
    state.discoveredClasses += 1;
    const alpha = state.alphaShare / 2 ** state.discoveredClasses;
    state.metrics.push(newMetric(`class:${cls}`, 'prediction', alpha, state.riskGrid, cls));
    known.add(cls);
  }
}

// Field by field: object spread of this shape was the hot spot of long simulations.
function copyMetric(m: MetricState): MetricState {
  const copy: MetricState = {
    id: m.id,
    kind: m.kind,
    twoSided: m.twoSided,
    alpha: m.alpha,
    risks: m.risks,
    logLR: m.logLR.slice(),
    canaryDrift: m.canaryDrift.slice(),
    stableDrift: m.stableDrift.slice(),
    canarySquare: m.canarySquare.slice(),
    stableSquare: m.stableSquare.slice(),
    canary: { requests: m.canary.requests, events: m.canary.events },
    stable: { requests: m.stable.requests, events: m.stable.events },
    rejected: m.rejected,
    sufficient: m.sufficient,
  };
  if (m.className !== undefined) copy.className = m.className;
  return copy;
}
