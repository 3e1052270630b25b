import { defaultFloor, type MetricName, type PipelineConfig } from '../config/schema';

export interface GateDecision {
  passed: boolean;
  metric: MetricName;
  candidate: number;
  champion?: number;
  /** One sentence a person can act on, e.g. "auc 0.71 < floor 0.75". */
  reason: string;
}

const LOWER_IS_BETTER: ReadonlySet<MetricName> = new Set(['log_loss']);

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));

/**
 * The evaluation gate: the candidate must reach the floor and, when a champion serves
 * prod, beat it by at least `minImprovement` on the same held-out rows.
 */
export function decideGate(
  policy: PipelineConfig['evaluation'],
  candidate: Record<string, number>,
  champion?: Record<string, number>,
): GateDecision {
  const metric = policy.metric;
  const lower = LOWER_IS_BETTER.has(metric);
  const floor = policy.floor ?? defaultFloor(metric);
  const value = candidate[metric];
  if (value === undefined || Number.isNaN(value)) {
    return { passed: false, metric, candidate: Number.NaN, reason: `the candidate has no '${metric}' metric` };
  }
  const belowFloor = lower ? value > floor : value < floor;
  if (belowFloor) {
    return {
      passed: false,
      metric,
      candidate: value,
      champion: champion?.[metric],
      reason: `${metric} ${fmt(value)} ${lower ? '>' : '<'} floor ${fmt(floor)}`,
    };
  }
  const championValue = champion?.[metric];
  if (championValue === undefined) {
    return { passed: true, metric, candidate: value, reason: `${metric} ${fmt(value)} meets floor ${fmt(floor)}; no champion in prod` };
  }
  const improvement = lower ? championValue - value : value - championValue;
  const passed = improvement >= policy.minImprovement;
  return {
    passed,
    metric,
    candidate: value,
    champion: championValue,
    reason: passed
      ? `${metric} ${fmt(value)} vs champion ${fmt(championValue)} (improvement ${fmt(improvement)} >= ${fmt(policy.minImprovement)})`
      : `${metric} ${fmt(value)} does not beat champion ${fmt(championValue)} by ${fmt(policy.minImprovement)} (improvement ${fmt(improvement)})`,
  };
}
