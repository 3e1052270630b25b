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

export interface DecideGateOptions {
  /** Why a metric of the candidate could not be computed (see checkMetrics). @default {} */
  missing?: Readonly<Record<string, string>>;
  /** The same for the champion's metrics. @default {} */
  championMissing?: Readonly<Record<string, string>>;
}

/**
 * The evaluation gate: the candidate must reach the floor and, when a champion serves
 * prod, beat it by at least `minImprovement` on the same held-out rows. A metric that is
 * absent or not a finite number never passes: comparisons with NaN are all false, so it
 * would otherwise slip past the floor.
 */
export function decideGate(
  policy: PipelineConfig['evaluation'],
  candidate: Record<string, number>,
  champion?: Record<string, number>,
  options: DecideGateOptions = {},
): GateDecision {
  const metric = policy.metric;
  const lower = LOWER_IS_BETTER.has(metric);
  const floor = policy.floor ?? defaultFloor(metric);
  const value = candidate[metric];
  if (value === undefined || !Number.isFinite(value)) {
    const why = options.missing?.[metric];
    const reason = why ? `${metric} could not be computed: ${why}` : `the candidate has no '${metric}' metric`;
    return { passed: false, metric, candidate: Number.NaN, reason };
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
  if (championValue === undefined || !Number.isFinite(championValue)) {
    // Like a champion that cannot score any more: it must not block its own replacement.
    const why = champion && (options.championMissing?.[metric] ?? `the champion has no finite '${metric}'`);
    const note = why ? `; the champion's ${metric} could not be computed (${why}), so only the floor applies` : '; no champion in prod';
    return { passed: true, metric, candidate: value, reason: `${metric} ${fmt(value)} meets floor ${fmt(floor)}${note}` };
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
