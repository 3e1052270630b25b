import { z } from 'zod';
import { resolveThresholds, type CompareToBaselineOptions, type DriftReport, type FeatureDrift, type MetricName } from './stats';

/** The distribution metrics as they are named in event data (snake case, as dashboards and KQL use them). */
export const DriftScoreMetric = z.enum(['psi', 'jensen_shannon', 'wasserstein', 'ks', 'chi2']);
export type DriftScoreMetric = z.infer<typeof DriftScoreMetric>;

/**
 * One comparison the monitor made of a distribution metric with its threshold, as it goes
 * into `autopilot.DriftDetected` (`data.features`) for machines: dashboards, telemetry.
 * The one definition: telemetry reads it through the event map (shared/events/outgoing.ts).
 */
export const DriftScore = z.object({
  /** Feature name, or the prediction column's name when `role` is `prediction`. */
  feature: z.string().min(1),
  role: z.enum(['feature', 'prediction']),
  metric: DriftScoreMetric,
  /** PSI; Jensen–Shannon distance; Wasserstein-1 in baseline standard deviations; the KS D statistic; the chi-squared statistic. */
  value: z.number(),
  /** ks and chi2 only: the test's p-value (KS: at D minus the sketches' error bound). */
  pValue: z.number().optional(),
  /** ks and chi2 only: that p-value after Holm's correction over the run's tests; this is what meets `threshold`. */
  adjustedPValue: z.number().optional(),
  /** psi, jensen_shannon, wasserstein: `value` minus its sampling noise; this is what meets `threshold`. */
  corrected: z.number().optional(),
  /**
   * psi, jensen_shannon, wasserstein: a practical limit for `corrected`; ks, chi2: the family-wise α
   * for `adjustedPValue`. A feature drifts only when its test AND one of its effect sizes pass their limits.
   */
  threshold: z.number(),
  drifted: z.boolean(),
});
export type DriftScore = z.infer<typeof DriftScore>;

/** Report metric name → event metric name, and where the threshold lives. */
const METRICS: readonly { name: MetricName; metric: DriftScoreMetric }[] = [
  { name: 'psi', metric: 'psi' },
  { name: 'jensenShannon', metric: 'jensen_shannon' },
  { name: 'wasserstein', metric: 'wasserstein' },
  { name: 'ks', metric: 'ks' },
  { name: 'chiSquared', metric: 'chi2' },
];

/**
 * Every distribution metric the report compared with a threshold, for each feature and the
 * predictions, drifted or not. Metrics not compared (window too small for them, or their
 * threshold switched off with `null`) are left out: their values say nothing reliable.
 * `options` must be those the report was computed with, so thresholds match its decisions.
 */
export function driftScores(report: DriftReport, options: CompareToBaselineOptions): DriftScore[] {
  const all: FeatureDrift[] = report.prediction ? [...report.features, report.prediction] : report.features;
  const scores: DriftScore[] = [];
  for (const f of all) {
    const thresholds = resolveThresholds(options, f.feature, f.role === 'prediction');
    for (const { name, metric } of METRICS) {
      if (f.notEvaluated.includes(name)) continue;
      const measured = measuredValue(f, name);
      const threshold =
        name === 'ks'
          ? thresholds.ksPValue
          : name === 'chiSquared'
            ? thresholds.chiSquaredPValue
            : thresholds[name as 'psi' | 'jensenShannon' | 'wasserstein'];
      if (!measured || threshold === null) continue;
      scores.push({ feature: f.feature, role: f.role, metric, ...measured, threshold, drifted: f.breached.includes(name) });
    }
  }
  return scores;
}

function measuredValue(
  f: FeatureDrift,
  name: MetricName,
): { value: number; pValue?: number; adjustedPValue?: number; corrected?: number } | undefined {
  const m = f.metrics;
  const corrected = (value: number | undefined) => (value === undefined ? {} : { corrected: value });
  const adjusted = f.significance ? { adjustedPValue: f.significance.adjustedPValue } : {};
  switch (name) {
    case 'psi':
      return { value: m.psi, ...corrected(m.corrected?.psi) };
    case 'jensenShannon':
      return { value: m.jensenShannon, ...corrected(m.corrected?.jensenShannon) };
    case 'wasserstein':
      return m.wasserstein === undefined ? undefined : { value: m.wasserstein, ...corrected(m.corrected?.wasserstein) };
    case 'ks':
      return m.ks ? { value: m.ks.statistic, pValue: m.ks.conservativePValue, ...adjusted } : undefined;
    case 'chiSquared':
      return m.chiSquared ? { value: m.chiSquared.statistic, pValue: m.chiSquared.pValue, ...adjusted } : undefined;
    default:
      return undefined;
  }
}
