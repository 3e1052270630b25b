import type { DeploymentTraffic } from '../ports';

/** The counts canary analysis needs from one arm in one interval (a subset of the router's `DeploymentTraffic`). */
export type DeploymentCounts = Pick<DeploymentTraffic, 'requests' | 'errors' | 'slowerThan' | 'predictions'>;

/** One look at the canary: what each arm served since the previous look. */
export interface CanaryInterval {
  canary: DeploymentCounts;
  stable: DeploymentCounts;
}

/** The kinds of bad event compared; a class metric exists per predicted class. */
export type MetricKind = 'errors' | 'latencyP50' | 'latencyP99' | 'prediction';

/** The smallest regression the analysis promises to catch, per metric kind. */
export interface DetectableRegression {
  /** Relative risk (canary rate / stable rate) that must be caught. */
  risk: number;
  /**
   * Absolute rate that must be caught even when the stable's rate times `risk` is lower.
   * Without it a stable with (nearly) no errors would need unbounded traffic to pass:
   * "3× zero" is zero. For classes, the "too rarely" direction is only required for
   * classes at least this common.
   */
  rateFloor: number;
}

export interface CanaryAnalysisOptions {
  /** False-rollback rate per release, shared by all metrics (Bonferroni). @default 0.01 */
  alpha?: number;
  /** Relative risks > 1 the mixture puts equal weight on (reciprocals are added for classes). @default [1.25, 1.5, 2, 3, 5, 10, 20, 50] */
  riskGrid?: number[];
  /** Regressions that must be caught with probability `power` before `pass`. @default see DEFAULT_DETECTABLE */
  minDetectable?: Partial<Record<MetricKind, Partial<DetectableRegression>>>;
  /** Probability of catching a minimum detectable regression before `pass`. @default 0.95 */
  power?: number;
  /** The model's classes (as the router keys `predictions`). Classes seen later are added. @default [] */
  classes?: string[];
  /** Classes beyond this many are ignored (a regression model's predictions are not classes). @default 20 */
  maxClasses?: number;
}

/** What one metric has accumulated; plain numbers so the state survives JSON. */
export interface MetricState {
  /** 'errors' | 'latencyP50' | 'latencyP99' | 'class:<name>' */
  id: string;
  kind: MetricKind;
  /** The class, for prediction metrics. */
  className?: string;
  twoSided: boolean;
  /** This metric's share of alpha. */
  alpha: number;
  /** Risks of the mixture's grid points (weights are equal). */
  risks: number[];
  /** log likelihood ratio per grid point. */
  logLR: number[];
  /** Power bookkeeping per grid point: sums of n_c·a, n_s·b, n_c·a², n_s·b² (see evidencePower.ts). */
  canaryDrift: number[];
  stableDrift: number[];
  canarySquare: number[];
  stableSquare: number[];
  canary: { requests: number; events: number };
  stable: { requests: number; events: number };
  /** Latched: once the always-valid test rejects, the regression stands (Ville's inequality bounds the first crossing). */
  rejected: boolean;
  /** Latched: once enough evidence has accumulated, more equal data does not take it away. */
  sufficient: boolean;
}

export interface CanaryAnalysisState {
  version: 1;
  alpha: number;
  power: number;
  minDetectable: Record<MetricKind, DetectableRegression>;
  riskGrid: number[];
  maxClasses: number;
  /** Alpha share of each metric declared up front; classes discovered later split one more share. */
  alphaShare: number;
  discoveredClasses: number;
  /** Classes seen beyond `maxClasses`, not analysed. */
  ignoredClasses: string[];
  intervals: number;
  metrics: MetricState[];
}

export interface MetricEvidence {
  metric: string;
  /** log of the mixture likelihood ratio; rejects at `threshold`. */
  logLR: number;
  /** log(1/alpha of this metric). */
  threshold: number;
  canaryRate: number;
  stableRate: number;
  requests: { canary: number; stable: number };
  /** Estimated probability that the minimum detectable regression would have been caught by now. */
  power: number;
  evidenceSufficient: boolean;
  rejected: boolean;
}

export type CanaryVerdict = 'rollback' | 'continue' | 'pass';

export interface CanaryDecision {
  verdict: CanaryVerdict;
  /** One sentence each, naming the metric, the figures and what follows. */
  reasons: string[];
  /** Every analysed metric has enough evidence (true does not mean no regression: see verdict). */
  evidenceSufficient: boolean;
  evidence: MetricEvidence[];
}
