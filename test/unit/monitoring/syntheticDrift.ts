/** Seeded synthetic monitoring data for the drift tests: two numeric features, one categorical, a prediction. */
import { createRng } from '../../../examples/tabular/lib/random';
import { compareToBaseline, createWindowProfile, profileBaseline, type DriftReport } from '../../../shared/monitoring/stats';

export const COLUMNS = ['tenure_months', 'monthly_spend', 'plan', 'prediction'];

export interface Shift {
  /** Added to tenure_months, in its standard deviations (12). @default 0 */
  tenureMeanShift?: number;
  /** Multiplies monthly_spend's spread around its mean. @default 1 */
  spendSpreadFactor?: number;
  /** Share of rows whose plan is a category the baseline never saw. @default 0 */
  newPlanShare?: number;
}

export function syntheticRows(seed: number, n: number, shift: Shift = {}): unknown[][] {
  const rng = createRng(seed);
  const plans = ['basic', 'pro', 'team', 'enterprise'];
  return Array.from({ length: n }, () => {
    const tenure = 24 + 12 * (rng.normal() + (shift.tenureMeanShift ?? 0));
    const spend = 50 + 15 * (shift.spendSpreadFactor ?? 1) * rng.normal();
    const plan = rng.next() < (shift.newPlanShare ?? 0) ? 'student' : plans[rng.pick([5, 3, 2, 1])]!;
    const prediction = rng.next() < 1 / (1 + Math.exp(-(tenure - 24) / 12)) ? '1' : '0';
    return [tenure.toFixed(2), spend.toFixed(2), plan, prediction];
  });
}

/** A baseline of `sizes.baseline` seeded rows against a window of `sizes.window` rows (another seed, `shift` applied), default thresholds. */
export async function syntheticReport(seed: number, sizes: { baseline: number; window: number }, shift: Shift = {}): Promise<DriftReport> {
  const baseline = await profileBaseline(COLUMNS, syntheticRows(seed, sizes.baseline), { prediction: 'prediction' });
  const window = createWindowProfile(baseline);
  for (const row of syntheticRows(seed + 1_000_000, sizes.window, shift)) window.add(row);
  return compareToBaseline(baseline, window);
}
