/**
 * Holm's step-down adjustment (Holm 1979) of p-values for a family of tests: sort
 * ascending, p_(i) becomes max over j ≤ i of min(1, (T − j + 1)·p_(j)). Rejecting where the
 * adjusted p is below α keeps the family-wise error rate at α under any dependence between
 * the tests, like Bonferroni, but rejects at least as much. `NaN` or `undefined` entries are
 * not tests (not counted) and stay `undefined`. Written here: a few lines, no package needed.
 */
export function holmAdjust(pValues: readonly (number | undefined)[]): (number | undefined)[] {
  const tested = pValues
    .map((p, index) => ({ p, index }))
    .filter((t): t is { p: number; index: number } => t.p !== undefined && !Number.isNaN(t.p))
    .sort((a, b) => a.p - b.p);
  const adjusted: (number | undefined)[] = pValues.map(() => undefined);
  let running = 0;
  tested.forEach((t, rank) => {
    running = Math.max(running, Math.min(1, (tested.length - rank) * t.p));
    adjusted[t.index] = running;
  });
  return adjusted;
}
