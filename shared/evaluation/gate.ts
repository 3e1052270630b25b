import { defaultFloor, isRegressionMetric, LOWER_IS_BETTER, type MetricName, type PipelineConfig } from '../config/schema';
import { regressionEvidence, type PairedRegressionRows } from './paired/regressionEvidence';
import { pairedEvidence, UnpairableError, type PairedRows } from './paired/pairedEvidence';
import { judgeComparison, type GateComparison, type GateOutcome } from './judgeComparison';

export type { GateComparison, GateOutcome } from './judgeComparison';
export type { PairedRows, ModelRows } from './paired/pairedEvidence';

export interface GateDecision {
  passed: boolean;
  /** promote / reject as tested; inconclusive when the rows cannot tell (then `passed` follows `evaluation.inconclusive`). */
  outcome: GateOutcome;
  metric: MetricName;
  candidate: number;
  champion?: number;
  /** One sentence a person can act on, e.g. "auc 0.71 < floor 0.75". */
  reason: string;
  /** The paired test against the champion, when there was one to compare with. */
  comparison?: GateComparison;
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));

export interface DecideGateOptions {
  /** Why a metric of the candidate could not be computed (see checkMetrics). @default {} */
  missing?: Readonly<Record<string, string>>;
  /** The same for the champion's metrics. @default {} */
  championMissing?: Readonly<Record<string, string>>;
  /** Both models' answers on the compared rows; required to compare a classifier with a champion. */
  rows?: PairedRows;
  /** Both regressors' predictions on the compared rows; required to compare a regressor with a champion. */
  regressionRows?: PairedRegressionRows;
}

/**
 * The evaluation gate: the candidate must reach the floor and, when a champion serves prod,
 * be better by at least `minImprovement` with confidence 1 − alpha on the same held-out rows,
 * by a paired test (docs/evaluation-gate.md). A metric that is absent or not a finite number
 * never passes: comparisons with NaN are all false, so it would otherwise slip past the floor.
 * Async because a bootstrap on a large holdout gives the event loop turns while it resamples.
 */
export async function decideGate(
  policy: PipelineConfig['evaluation'],
  candidate: Record<string, number>,
  champion?: Record<string, number>,
  options: DecideGateOptions = {},
): Promise<GateDecision> {
  const metric = policy.metric;
  const lower = LOWER_IS_BETTER.has(metric);
  const floor = policy.floor ?? defaultFloor(metric);
  const value = candidate[metric];
  if (value === undefined || !Number.isFinite(value)) {
    const why = options.missing?.[metric];
    const reason = why ? `${metric} could not be computed: ${why}` : `the candidate has no '${metric}' metric`;
    return { passed: false, outcome: 'reject', metric, candidate: Number.NaN, reason };
  }
  const belowFloor = lower ? value > floor : value < floor;
  if (belowFloor) {
    return {
      passed: false,
      outcome: 'reject',
      metric,
      candidate: value,
      champion: champion?.[metric],
      reason: `${metric} ${fmt(value)} ${lower ? '>' : '<'} floor ${fmt(floor)}`,
    };
  }
  const championValue = champion?.[metric];
  const meetsFloor = `${metric} ${fmt(value)} meets floor ${fmt(floor)}`;
  if (championValue === undefined || !Number.isFinite(championValue)) {
    // Like a champion that cannot score any more: it must not block its own replacement.
    const why = champion && (options.championMissing?.[metric] ?? `the champion has no finite '${metric}'`);
    const note = why ? `; the champion's ${metric} could not be computed (${why}), so only the floor applies` : '; no champion in prod';
    return { passed: true, outcome: 'promote', metric, candidate: value, reason: `${meetsFloor}${note}` };
  }
  const bootstrap = { samples: policy.bootstrapSamples, seed: policy.seed };
  let evidence;
  try {
    if (isRegressionMetric(metric)) {
      if (!options.regressionRows) throw new TypeError("decideGate needs both regressors' predictions per row (options.regressionRows)");
      evidence = await regressionEvidence(metric, options.regressionRows, bootstrap);
      if (!evidence) throw new UnpairableError(metric, 'mape is undefined where a held-out target is 0');
    } else {
      if (!options.rows) throw new TypeError("decideGate needs both models' answers per row (options.rows) to compare with a champion");
      evidence = await pairedEvidence(metric, options.rows, bootstrap);
    }
  } catch (error) {
    if (!(error instanceof UnpairableError)) throw error;
    return {
      passed: true,
      outcome: 'promote',
      metric,
      candidate: value,
      champion: championValue,
      reason: `${meetsFloor}; ${error.message}, so only the floor applies`,
    };
  }
  const judged = judgeComparison(evidence, policy);
  return {
    passed: judged.passed,
    outcome: judged.comparison.outcome,
    metric,
    candidate: value,
    champion: championValue,
    reason: `${metric} ${fmt(value)} vs champion ${fmt(championValue)}: ${judged.sentence}`,
    comparison: judged.comparison,
  };
}
