import type { Significance } from './distributionJudgement';
import type { DriftHistogram } from './driftHistogram';
import type { DriftThresholds } from './driftThresholds';
import type { MetricName } from './metricName';

// In ./metricName.ts so ./distributionJudgement.ts can name it without importing this file (an import cycle).
export type { MetricName } from './metricName';

/** What compareToBaseline returns (plain JSON: every number is finite). */
export interface KsResult {
  statistic: number;
  pValue: number;
  /** 'exact': lattice-path p-value; 'asymptotic': Kolmogorov distribution. */
  method: 'exact' | 'asymptotic';
  /** False when the statistic comes from a KLL sketch (either side held more than k values). */
  exactStatistic: boolean;
  /** |D − D_true| ≤ errorBound (0 when exact). Breach decisions use p at D − errorBound. */
  errorBound: number;
  /** p-value at max(0, D − errorBound): what the breach decision uses. */
  conservativePValue: number;
}

export interface FeatureDrift {
  feature: string;
  role: 'feature' | 'prediction';
  type: 'numeric' | 'categorical';
  /** Window rows, and those with a usable value (not missing, not a type error). */
  rows: number;
  values: number;
  status: 'ok' | 'breached' | 'insufficient-data';
  metrics: {
    psi: number;
    jensenShannon: number;
    /** Wasserstein-1 / baseline std (the raw W1 when the baseline is constant). */
    wasserstein?: number;
    wassersteinRaw?: number;
    /** Bound on |normalized W1 − exact| from the sketches' rank error (0 when exact). */
    wassersteinErrorBound?: number;
    ks?: KsResult;
    /** Pearson chi-squared after pooling columns with expected counts below 5 (`pooledColumns` of them; 0: the plain test). */
    chiSquared?: { statistic: number; dof: number; pValue: number; pooledColumns?: number };
    /** What PSI, JS and normalized Wasserstein average between two same-distribution samples of these sizes (absent in reports made before 2026-12). */
    noise?: EffectSizes;
    /** The effect sizes with that noise taken out: what the practical thresholds are compared with. */
    corrected?: EffectSizes;
  };
  quality: {
    nullRate: number;
    baselineNullRate: number;
    absentRate: number;
    outOfRangeRate?: number;
    typeErrorRate?: number;
    typeErrorExamples?: string[];
    unseenCategoryRate?: number;
    baselineOtherRate?: number;
    unseenExamples?: { value: string; count: number }[];
  };
  /**
   * The feature's significance test (KS for numeric features, chi-squared for categorical ones
   * and the predictions), Holm-adjusted over the run's tests; absent when it was not run.
   */
  significance?: Significance;
  /** Metrics over their thresholds. */
  breached: MetricName[];
  /** Metrics not compared because the window was too small. */
  notEvaluated: MetricName[];
  /** One line per breach, e.g. "PSI 0.41 > 0.2". */
  reasons: string[];
  /** The thresholds this feature was compared against (defaults, then the policy's overrides). */
  thresholds: DriftThresholds;
  /** Baseline and window over the bins (or categories) PSI compared, as proportions. */
  histogram: DriftHistogram;
}

export interface EffectSizes {
  psi: number;
  jensenShannon: number;
  wasserstein?: number;
}

export interface DriftReport {
  /** A distribution metric (PSI, JS, Wasserstein, KS, chi-squared) breached on any feature or the predictions. */
  drifted: boolean;
  /** A data-quality rate (nulls, out of range, type errors, unseen categories, absent feature) breached. */
  dataQualityDegraded: boolean;
  /** True when the window was empty or too small for any test: nothing passed, nothing was compared. */
  insufficientData: boolean;
  /** How the features' p-values were corrected for testing many at once (absent in reports made before 2026-12). */
  multipleTesting?: { method: 'holm'; tests: number };
  windowRows: number;
  baselineRows: number;
  features: FeatureDrift[];
  prediction?: FeatureDrift;
  /** Human lines: "feature tenure_months: PSI 0.41 > 0.2, KS D=0.23 p<1e-6". */
  reasons: string[];
}

export const DISTRIBUTION_METRICS: readonly MetricName[] = ['psi', 'jensenShannon', 'wasserstein', 'ks', 'chiSquared'];
