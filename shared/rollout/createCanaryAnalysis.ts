import { BadRequestError } from '../errors';
import { mixtureRisks } from './likelihoodRatio';
import type { CanaryAnalysisOptions, CanaryAnalysisState, DetectableRegression, MetricKind, MetricState } from './types';

export const DEFAULT_RISK_GRID = [1.25, 1.5, 2, 3, 5, 10, 20, 50];

/**
 * Defaults of the minimum detectable regressions. The p99 tail uses risk 3, not 1.5: a 1%
 * tail is as rare as errors, and ruling out 1.5× of it takes ~36,000 canary requests
 * (docs/canary-analysis.md has the table); shifts of the body are caught by the p50 test.
 */
export const DEFAULT_DETECTABLE: Record<MetricKind, DetectableRegression> = {
  errors: { risk: 3, rateFloor: 0.01 },
  latencyP50: { risk: 1.5, rateFloor: 0.05 },
  latencyP99: { risk: 3, rateFloor: 0.03 },
  prediction: { risk: 1.5, rateFloor: 0.05 },
};

/** Metrics that always exist, in the order reasons are given. */
const FIXED_METRICS: MetricKind[] = ['errors', 'latencyP50', 'latencyP99'];

/**
 * Starts the analysis of one canary. Alpha is split by Bonferroni over errors, p50, p99,
 * each declared class, and one more share that classes discovered later split 1/2, 1/4, …
 * so the total never exceeds alpha however many classes turn up.
 */
export function createCanaryAnalysis(options: CanaryAnalysisOptions = {}): CanaryAnalysisState {
  const alpha = options.alpha ?? 0.01;
  const power = options.power ?? 0.95;
  const riskGrid = [...(options.riskGrid ?? DEFAULT_RISK_GRID)];
  const maxClasses = options.maxClasses ?? 20;
  const classes = [...new Set(options.classes ?? [])];
  if (!(alpha > 0 && alpha < 1)) throw new BadRequestError(`must be between 0 and 1 (exclusive), got ${alpha}`, 'alpha');
  if (!(power > 0.5 && power < 1)) throw new BadRequestError(`must be between 0.5 and 1 (exclusive), got ${power}`, 'power');
  if (riskGrid.length === 0 || riskGrid.some((r) => !(r > 1 && Number.isFinite(r)))) {
    throw new BadRequestError(`needs finite relative risks above 1, got [${riskGrid.join(', ')}]`, 'riskGrid');
  }
  if (!Number.isInteger(maxClasses) || maxClasses < 0)
    throw new BadRequestError(`must be an integer >= 0, got ${maxClasses}`, 'maxClasses');
  if (classes.length > maxClasses) {
    throw new BadRequestError(`${classes.length} classes declared but maxClasses is ${maxClasses}; raise maxClasses`, 'classes');
  }
  const minDetectable = { ...DEFAULT_DETECTABLE };
  for (const kind of Object.keys(DEFAULT_DETECTABLE) as MetricKind[]) {
    const given = { ...DEFAULT_DETECTABLE[kind], ...options.minDetectable?.[kind] };
    if (!(given.risk > 1)) throw new BadRequestError(`risk must be above 1, got ${given.risk}`, `minDetectable.${kind}`);
    if (!(given.rateFloor >= 0 && given.rateFloor < 1)) {
      throw new BadRequestError(`rateFloor must be in [0, 1), got ${given.rateFloor}`, `minDetectable.${kind}`);
    }
    minDetectable[kind] = given;
  }

  const alphaShare = alpha / (FIXED_METRICS.length + classes.length + 1);
  const state: CanaryAnalysisState = {
    version: 1,
    alpha,
    power,
    minDetectable,
    riskGrid,
    maxClasses,
    alphaShare,
    discoveredClasses: 0,
    ignoredClasses: [],
    intervals: 0,
    metrics: FIXED_METRICS.map((kind) => newMetric(kind, kind, alphaShare, riskGrid)),
  };
  for (const name of classes) state.metrics.push(newMetric(`class:${name}`, 'prediction', alphaShare, riskGrid, name));
  return state;
}

export function newMetric(id: string, kind: MetricKind, alpha: number, riskGrid: readonly number[], className?: string): MetricState {
  const twoSided = kind === 'prediction';
  const risks = mixtureRisks(riskGrid, twoSided);
  const zeros = () => risks.map(() => 0);
  return {
    id,
    kind,
    ...(className === undefined ? {} : { className }),
    twoSided,
    alpha,
    risks,
    logLR: zeros(),
    canaryDrift: zeros(),
    stableDrift: zeros(),
    canarySquare: zeros(),
    stableSquare: zeros(),
    canary: { requests: 0, events: 0 },
    stable: { requests: 0, events: 0 },
    rejected: false,
    sufficient: false,
  };
}
