import { z } from 'zod';

/** One distance the drift monitor compared with its threshold (shared/monitoring/driftScores.ts), as telemetry reads it. */
export const DriftScore = z.object({
  feature: z.string().min(1),
  /** psi, jensen_shannon, wasserstein (in baseline standard deviations), ks (the D statistic), chi2 (the statistic). */
  metric: z.enum(['psi', 'jensen_shannon', 'wasserstein', 'ks', 'chi2']),
  value: z.number().refine(Number.isFinite, 'must be finite'),
  drifted: z.boolean(),
});
export type DriftScore = z.infer<typeof DriftScore>;

/**
 * The scores in a DriftDetected event's `data.features`, every metric the monitor compared,
 * drifted or not. An entry of another shape is skipped alone (an event from a newer or
 * older version of the app must not stop the others from being measured); external drift
 * signals carry none.
 */
export function driftScores(features: unknown): DriftScore[] {
  if (!Array.isArray(features)) return [];
  return features.flatMap((entry) => {
    const parsed = DriftScore.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}
