/** One distribution distance the drift monitor reported as over its threshold. */
export interface DriftScore {
  feature: string;
  /** psi, jensen_shannon, wasserstein (in baseline standard deviations) or ks (the D statistic). */
  metric: 'psi' | 'jensen_shannon' | 'wasserstein' | 'ks';
  value: number;
}

const NUMBER = String.raw`(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)`;
const METRICS: readonly [DriftScore['metric'], RegExp][] = [
  ['psi', new RegExp(String.raw`\bPSI ${NUMBER}`)],
  ['jensen_shannon', new RegExp(String.raw`\bJS ${NUMBER}`)],
  ['wasserstein', new RegExp(String.raw`\bWasserstein ${NUMBER} std`)],
  ['ks', new RegExp(String.raw`\bKS D=${NUMBER}`)],
];
const FEATURE_REASON = /^(?:feature|prediction) (.+?): (.*)$/;

/**
 * The scores inside a DriftDetected event's `reasons`. The event carries the monitor's
 * human-readable reasons, not its report, and changing the core's event for telemetry
 * is not worth it: the reason format ("feature age: PSI 0.31 > 0.2, KS D=0.4 p<1e-6",
 * shared/monitoring/stats/featureDrift.ts) is parsed here instead. Only metrics that
 * crossed their threshold appear there, so only those are measured.
 */
export function driftScores(reasons: readonly string[]): DriftScore[] {
  const scores: DriftScore[] = [];
  for (const reason of reasons) {
    const match = FEATURE_REASON.exec(reason);
    if (!match) continue;
    const [, feature, details] = match as unknown as [string, string, string];
    for (const [metric, pattern] of METRICS) {
      const value = Number(pattern.exec(details)?.[1]);
      if (Number.isFinite(value)) scores.push({ feature, metric, value });
    }
  }
  return scores;
}
