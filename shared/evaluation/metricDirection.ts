/**
 * The gate's metrics and which way is better, in a module of its own (no zod) so the dashboard
 * can say it beside every number without bundling the config schema.
 */
export const CLASSIFICATION_METRICS = ['auc', 'accuracy', 'f1', 'log_loss'] as const;
export const REGRESSION_METRICS = ['rmse', 'mae', 'r2', 'mape'] as const;
export type GateMetricName = (typeof CLASSIFICATION_METRICS)[number] | (typeof REGRESSION_METRICS)[number];

/** Errors and losses: the smaller, the better. */
export const LOWER_IS_BETTER: ReadonlySet<string> = new Set<GateMetricName>(['log_loss', 'rmse', 'mae', 'mape']);

/** "lower is better" / "higher is better", for a metric of the gate; undefined for other names. */
export function betterDirection(metric: string): 'lower is better' | 'higher is better' | undefined {
  if (LOWER_IS_BETTER.has(metric)) return 'lower is better';
  return ([...CLASSIFICATION_METRICS, ...REGRESSION_METRICS] as readonly string[]).includes(metric) ? 'higher is better' : undefined;
}
