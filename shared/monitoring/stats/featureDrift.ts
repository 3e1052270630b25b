import type { FeatureProfile } from './baselineProfile';
import { categoricalMeasures } from './categoricalMeasures';
import { categoricalHistogram, numericHistogram } from './driftHistogram';
import type { FeatureDrift, MetricName } from './driftReport';
import type { DriftThresholds } from './driftThresholds';
import { judgeDistribution, type DistributionMeasure } from './distributionJudgement';
import { formatRate } from './formatReason';
import { numericMeasures } from './numericMeasures';
import { qualityCheck, type QualityCheck } from './qualityCheck';
import type { CategoricalWindow, FeatureWindow, NumericWindow } from './windowProfile';

/** A feature measured but not yet judged: its distribution decision waits for the family's Holm adjustment. */
export interface MeasuredFeature {
  drift: Omit<FeatureDrift, 'status' | 'breached' | 'notEvaluated' | 'reasons'>;
  distribution: DistributionMeasure;
  quality: QualityCheck[];
}

/** Every metric of one feature, with the data-quality rates and the distribution's test and effect sizes. */
export function measureFeature(
  profile: FeatureProfile,
  window: FeatureWindow,
  thresholds: DriftThresholds,
  role: FeatureDrift['role'],
): MeasuredFeature {
  if (profile.type !== window.type) throw new RangeError(`feature ${profile.name}: window is ${window.type}, baseline ${profile.type}`);
  const partial =
    profile.type === 'numeric'
      ? numericMeasures(profile, window as NumericWindow, thresholds)
      : categoricalMeasures(profile, window as CategoricalWindow, thresholds);
  const t = thresholds;
  const nullRate = window.count === 0 ? 0 : window.missing / window.count;
  const absentRate = window.count === 0 ? 0 : window.absent / window.count;
  const quality: QualityCheck[] = [
    ...partial.checks,
    qualityCheck(
      'nullRate',
      t.nullRateIncrease,
      nullRate - profile.missingRate,
      `null rate ${formatRate(nullRate)} vs baseline ${formatRate(profile.missingRate)} (limit +${formatRate(t.nullRateIncrease ?? 0)})`,
      window.count,
      t.minTestSampleSize,
    ),
    // A feature that no row carries is reported from the first row: it is a broken pipeline, not noise.
    {
      metric: 'absent',
      breached: window.absent === window.count,
      reason: 'missing from every row of the window',
      n: window.count,
      minimum: 1,
    },
  ];
  return {
    drift: {
      feature: profile.name,
      role,
      type: profile.type,
      rows: window.count,
      values: partial.values,
      metrics: partial.metrics,
      quality: { nullRate, baselineNullRate: profile.missingRate, absentRate, ...partial.quality },
      thresholds: { ...thresholds },
      histogram:
        profile.type === 'numeric'
          ? numericHistogram(profile, window as NumericWindow)
          : categoricalHistogram(profile, window as CategoricalWindow),
    },
    distribution: partial.distribution,
    quality,
  };
}

/** The verdict on a measured feature, given its Holm-adjusted p-value among `tests` tests. */
export function judgeFeature(measured: MeasuredFeature, adjustedPValue: number | undefined, tests: number): FeatureDrift {
  const distribution = judgeDistribution(measured.distribution, adjustedPValue, tests);
  const breached: MetricName[] = [];
  const notEvaluated: MetricName[] = [];
  const qualityReasons: string[] = [];
  for (const c of measured.quality) {
    if (c.n < c.minimum) notEvaluated.push(c.metric);
    else if (c.breached) {
      breached.push(c.metric);
      qualityReasons.push(c.reason);
    }
  }
  breached.unshift(...distribution.breached);
  notEvaluated.unshift(...distribution.notEvaluated);
  // The distribution could not be judged: whatever the quality rates say, this is no verdict on drift.
  const tooSmall = !measured.distribution.evaluated;
  return {
    ...measured.drift,
    status: breached.length > 0 ? 'breached' : tooSmall ? 'insufficient-data' : 'ok',
    breached,
    notEvaluated,
    reasons: [...distribution.reasons, ...qualityReasons],
    ...(distribution.significance ? { significance: distribution.significance } : {}),
  };
}
