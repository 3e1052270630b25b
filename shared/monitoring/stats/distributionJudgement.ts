import type { MetricName } from './metricName';
import { formatNumber, formatPValue } from './formatReason';

/** An effect size (PSI, JS, normalized Wasserstein): raw, its noise floor, and the bias-corrected value compared with the threshold. */
export interface EffectMeasure {
  metric: 'psi' | 'jensenShannon' | 'wasserstein';
  raw: number;
  corrected: number;
  /** What same-distribution samples of these sizes measure on average (the floor taken out of `raw`). */
  noise: number;
  threshold: number | null;
  /** Wasserstein only: 'units' when the baseline is constant (std 0), so W1 is in the feature's own units. @default 'std' */
  scale?: 'std' | 'units';
}

/** The significance test of one feature: KS (numeric) or chi-squared (categorical, predictions). */
export interface TestMeasure {
  metric: 'ks' | 'chiSquared';
  /** What the decision uses (KS: at D minus the sketches' error bound). */
  pValue: number;
  /** Family-wise α; null switches the test off (then the effect sizes decide alone). */
  alpha: number | null;
  /** The statistic for humans: "KS D=0.23 p<1e-6". */
  describe: string;
  /**
   * True when no arrangement of these values could reject (one value on both sides; a
   * chi-squared table with a single column): not counted in Holm's family, as Tarone's rule
   * leaves out tests whose smallest attainable p is 1.
   */
  degenerate?: boolean;
}

/** Everything needed to judge one feature's distribution once the family's p-values are adjusted. */
export interface DistributionMeasure {
  /** False when either side has fewer values than `minSampleSize`: nothing is judged. */
  evaluated: boolean;
  test?: TestMeasure;
  effects: EffectMeasure[];
}

export interface Significance {
  test: 'ks' | 'chiSquared';
  pValue: number;
  /** Holm-adjusted over every feature (and the prediction) tested in the same run. */
  adjustedPValue: number;
  alpha: number;
  significant: boolean;
  correction: 'holm';
  /** How many tests the family had. */
  tests: number;
}

const LABEL: Record<EffectMeasure['metric'], string> = { psi: 'PSI', jensenShannon: 'JS', wasserstein: 'Wasserstein' };

/**
 * A feature drifts when its shift is BOTH significant (Holm-adjusted p below α) AND practically
 * large (a bias-corrected effect above its threshold). A switched-off test leaves the effects
 * to decide alone; switched-off effects leave the test alone; with both off nothing is judged.
 */
export function judgeDistribution(d: DistributionMeasure, adjustedPValue: number | undefined, tests: number) {
  const notEvaluated: MetricName[] = [];
  const breached: MetricName[] = [];
  const reasons: string[] = [];
  const activeEffects = d.effects.filter((e) => e.threshold !== null);
  const activeTest = d.test && d.test.alpha !== null ? d.test : undefined;
  for (const e of d.effects) if (!d.evaluated || e.threshold === null) notEvaluated.push(e.metric);
  if (d.test && (!d.evaluated || d.test.alpha === null || d.test.degenerate)) notEvaluated.push(d.test.metric);
  const significance: Significance | undefined =
    activeTest && d.evaluated && adjustedPValue !== undefined
      ? {
          test: activeTest.metric,
          pValue: activeTest.pValue,
          adjustedPValue,
          alpha: activeTest.alpha!,
          significant: adjustedPValue < activeTest.alpha!,
          correction: 'holm',
          tests,
        }
      : undefined;
  if (!d.evaluated || (!activeTest && activeEffects.length === 0)) return { breached, notEvaluated, reasons, significance };
  // A degenerate test (no adjusted p) cannot be significant: nothing moved.
  const significant = activeTest ? significance?.significant === true : true;
  const large = activeEffects.filter((e) => e.corrected > e.threshold!);
  if (!significant || (activeEffects.length > 0 && large.length === 0)) return { breached, notEvaluated, reasons, significance };
  for (const e of large) {
    breached.push(e.metric);
    const units = e.metric === 'wasserstein' && e.scale === 'units';
    const unit = e.metric === 'wasserstein' && !units ? ' std' : '';
    reasons.push(
      `${LABEL[e.metric]} ${formatNumber(e.corrected)}${unit} > ${e.threshold}${unit} (${units ? "in the feature's units: the baseline is constant; " : ''}raw ${formatNumber(e.raw)} with sampling noise ${formatNumber(e.noise)} taken out)`,
    );
  }
  if (activeTest) {
    breached.push(activeTest.metric);
    reasons.push(
      `${activeTest.describe}, Holm-adjusted ${formatPValue(adjustedPValue!)} < ${formatNumber(activeTest.alpha!)} over ${tests} ${tests === 1 ? 'test' : 'tests'}`,
    );
  }
  return { breached, notEvaluated, reasons, significance };
}
