import { LOWER_IS_BETTER } from '../../shared/evaluation/metricDirection';

/** "default v3", or "-" before a model is registered. */
export function formatModel(model: { name: string; version: number } | undefined): string {
  return model ? `${model.name} v${model.version}` : '-';
}

/**
 * "auc=0.912 accuracy=0.881", "rmse(lower)=4.21 r2=0.873": metrics rounded for reading, not for
 * comparing; an error or loss says that lower is better, so a smaller number is not read as a loss.
 */
export function formatMetrics(metrics: Readonly<Record<string, number>> | undefined, max = 4): string {
  const entries = Object.entries(metrics ?? {}).slice(0, max);
  return entries.length === 0
    ? '-'
    : entries.map(([name, value]) => `${name}${LOWER_IS_BETTER.has(name) ? '(lower)' : ''}=${roundForDisplay(value)}`).join(' ');
}

function roundForDisplay(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}
