import { mulberry32 } from '../../data/split';
import { createCanaryAnalysis } from '../createCanaryAnalysis';
import { decideCanary } from '../decideCanary';
import type { CanaryAnalysisOptions, CanaryInterval } from '../types';
import { updateCanaryAnalysis } from '../updateCanaryAnalysis';
import { simulatedDeployment, sampleDeploymentCounts, type SimulatedDeployment } from './simulatedDeployment';
import { sampleBinomial, samplePoisson } from './sampling';
import { perRequestCounts, type TrafficObservation } from './trafficObservation';

/** Flagger's canary analysis settings; defaults are the ones the issue compares against. */
export interface FixedThresholdOptions {
  /** @default 60 */
  intervalSeconds?: number;
  /** Failed checks before rollback. @default 5 */
  threshold?: number;
  /** @default 10 */
  stepWeight?: number;
  /** @default 50 */
  maxWeight?: number;
  /** request-success-rate must be at least this over each interval. @default 0.99 */
  successRateMin?: number;
}

export interface SimulateCanaryOptions {
  /** Mean request rate; arrivals are a Poisson process, each request routed at random by weight. */
  rps: number;
  stableErrorRate: number;
  canaryErrorRate: number;
  seed: number;
  analysis: 'sequential' | 'fixed-threshold';
  /** Sequential: traffic steps in percent; reaching 100 (or passing the last step) promotes. @default [5, 25, 50, 100] */
  steps?: number[];
  /** Sequential: minimum bake time of each step. @default 10 */
  stepSeconds?: number;
  /** Sequential: seconds between looks. @default 5 */
  analysisIntervalSeconds?: number;
  analysisOptions?: CanaryAnalysisOptions;
  fixedThreshold?: FixedThresholdOptions;
  /** Latency and class behaviour beyond the error rates (default: equal to the stable's). */
  canaryProfile?: Partial<Omit<SimulatedDeployment, 'errorRate'>>;
  /** The stable's, e.g. a regressor's prediction bins as classes (default: simulatedDeployment's). */
  stableProfile?: Partial<Omit<SimulatedDeployment, 'errorRate'>>;
  /** Give up (outcome `undecided`) after this much simulated time. @default 14400 */
  maxSeconds?: number;
  /**
   * Sequential: what each look gets of the traffic served (the fixed-threshold analysis
   * always sees its interval). The traffic itself, and so the failed requests, do not depend
   * on it. @default perRequestCounts (the local router's counts)
   */
  observation?: TrafficObservation;
}

export interface SimulatedCanary {
  outcome: 'rolled_back' | 'promoted' | 'undecided';
  secondsToDecision: number;
  requestsTotal: number;
  requestsToCanary: number;
  /** Canary requests that failed before the decision. */
  badCanaryRequests: number;
  /** requestsToCanary / requestsTotal up to the decision. */
  shareServedByCanary: number;
}

/** One simulated canary release on Poisson traffic, judged by our analysis or by Flagger's. */
export function simulateCanary(options: SimulateCanaryOptions): SimulatedCanary {
  const rng = mulberry32(options.seed);
  const stable = simulatedDeployment({ ...options.stableProfile, errorRate: options.stableErrorRate });
  const canary = simulatedDeployment({ ...stable, ...options.canaryProfile, errorRate: options.canaryErrorRate });
  const tally = new Tally();
  const serve: Serve = (seconds, weight) => {
    const total = samplePoisson(rng, options.rps * seconds);
    const toCanary = sampleBinomial(rng, total, weight / 100);
    const interval = {
      canary: sampleDeploymentCounts(rng, toCanary, canary),
      stable: sampleDeploymentCounts(rng, total - toCanary, stable),
    };
    tally.add(interval.canary.requests, interval.stable.requests, interval.canary.errors);
    return interval;
  };
  const maxSeconds = options.maxSeconds ?? 14_400;
  return options.analysis === 'sequential'
    ? runSequential(options, stable, serve, tally, maxSeconds)
    : runFixedThreshold(options.fixedThreshold ?? {}, serve, tally, maxSeconds);
}

/** Serves `seconds` of traffic with `weight`% to the canary and returns its counts. */
type Serve = (seconds: number, weight: number) => CanaryInterval;

function runSequential(
  options: SimulateCanaryOptions,
  stable: SimulatedDeployment,
  serve: Serve,
  tally: Tally,
  maxSeconds: number,
): SimulatedCanary {
  const steps = options.steps ?? [5, 25, 50, 100];
  const bake = options.stepSeconds ?? 10;
  const dt = options.analysisIntervalSeconds ?? 5;
  const observe = (options.observation ?? perRequestCounts)();
  let state = createCanaryAnalysis({ classes: Object.keys(stable.classShares), ...options.analysisOptions });
  let step = 0;
  let stepStart = 0;
  for (let t = dt; t <= maxSeconds; t += dt) {
    state = updateCanaryAnalysis(state, observe(serve(dt, steps[step]!), t - dt, t));
    const { verdict } = decideCanary(state);
    if (verdict === 'rollback') return tally.result('rolled_back', t);
    if (verdict === 'pass' && t - stepStart >= bake) {
      if (step === steps.length - 1 || steps[step + 1]! >= 100) return tally.result('promoted', t);
      step += 1;
      stepStart = t;
    }
  }
  return tally.result('undecided', maxSeconds);
}

/**
 * Flagger's scheduler, tick by tick (pkg/controller/scheduler.go): a tick first rolls back
 * if failedChecks >= threshold; the first tick only shifts weight 0 -> stepWeight; later ticks
 * check request-success-rate over the last interval (no canary requests = "no values found",
 * a failed check) and on success add stepWeight up to maxWeight, then promote.
 * failedChecks is never reset during an analysis.
 */
function runFixedThreshold(settings: FixedThresholdOptions, serve: Serve, tally: Tally, maxSeconds: number): SimulatedCanary {
  const interval = settings.intervalSeconds ?? 60;
  const threshold = settings.threshold ?? 5;
  const stepWeight = settings.stepWeight ?? 10;
  const maxWeight = settings.maxWeight ?? 50;
  const successRateMin = settings.successRateMin ?? 0.99;
  let weight = stepWeight;
  let failedChecks = 0;
  for (let t = interval; t <= maxSeconds; t += interval) {
    const { canary } = serve(interval, weight);
    if (failedChecks >= threshold) return tally.result('rolled_back', t);
    const ok = canary.requests > 0 && 1 - canary.errors / canary.requests >= successRateMin;
    if (!ok) {
      failedChecks += 1;
      continue;
    }
    if (weight >= maxWeight) return tally.result('promoted', t);
    weight = Math.min(maxWeight, weight + stepWeight);
  }
  return tally.result('undecided', maxSeconds);
}

class Tally {
  private canary = 0;
  private total = 0;
  private bad = 0;
  add(canary: number, stable: number, canaryErrors: number): void {
    this.canary += canary;
    this.total += canary + stable;
    this.bad += canaryErrors;
  }
  result(outcome: SimulatedCanary['outcome'], seconds: number): SimulatedCanary {
    return {
      outcome,
      secondsToDecision: seconds,
      requestsTotal: this.total,
      requestsToCanary: this.canary,
      badCanaryRequests: this.bad,
      shareServedByCanary: this.total > 0 ? this.canary / this.total : 0,
    };
  }
}
