/**
 * A regressor's predictions, as the canary's prediction check counts them: the router keys
 * counts by the answer's first prediction, which for a regressor is a different number almost
 * every time, so the counts are put into a few fixed bins before the test, and each bin's share
 * is then compared between canary and stable as a class's share is for a classifier
 * (updateCanaryAnalysis: a two-sided always-valid test per bin). A biased regressor moves mass
 * from one outer bin to the other; a noisier one moves it out of the middle bin.
 *
 * Three bins, cut at the quartiles, and not more: a retrained regressor answers each row a
 * little differently (on the diabetes data, rows moved by 0.15 of the predictions' spread), and
 * every edge a row crosses counts as evidence, the more so as thin traffic is topped up by
 * replaying the same held-out rows. With six bins (deciles and quartiles) the e2e test's second
 * model, as good as the first, was rolled back; with the quartiles, simulated equal regressors
 * are promoted, a bias of 0.1 sd mostly too (94 %), while a bias of 0.25 sd and 1.5 times the
 * noise are always rolled back (bench §17b, test/unit/rollout/regressorCanary.test.ts).
 */

/** Quantiles of the baseline's predictions the bins are cut at: a quarter, a half and a quarter of them. */
const CUTS = ['p25', 'p75'] as const;

/** Predictions that are not a finite number: their own bin, so a canary answering garbage shows. */
export const NOT_A_NUMBER_BIN = 'not a number';

/** Bin edges from a numeric profile's quantiles (ascending, duplicates dropped: a model with few distinct answers). */
export function predictionBinEdges(quantiles: Readonly<Record<string, number>>): number[] {
  const edges = CUTS.map((q) => quantiles[q]).filter((v): v is number => v !== undefined && Number.isFinite(v));
  return [...new Set(edges)].sort((a, b) => a - b);
}

const fmt = (v: number) => String(Number(v.toPrecision(4)));

/** Readable bin names, in order: "< 84.2", "84.2 to 120.3", ">= 120.3". */
export function predictionBinLabels(edges: readonly number[]): string[] {
  if (edges.length === 0) return ['all'];
  return [
    `< ${fmt(edges[0]!)}`,
    ...edges.slice(1).map((edge, i) => `${fmt(edges[i]!)} to ${fmt(edge)}`),
    `>= ${fmt(edges[edges.length - 1]!)}`,
  ];
}

/** Sums counts keyed by prediction into the bins (labels as predictionBinLabels gives them). */
export function binPredictionCounts(counts: Readonly<Record<string, number>>, edges: readonly number[]): Record<string, number> {
  const labels = predictionBinLabels(edges);
  const binned: Record<string, number> = {};
  for (const [key, count] of Object.entries(counts)) {
    const value = key.trim() === '' ? Number.NaN : Number(key);
    let label = NOT_A_NUMBER_BIN;
    if (Number.isFinite(value)) {
      let bin = 0;
      while (bin < edges.length && value >= edges[bin]!) bin++;
      label = labels[bin]!;
    }
    binned[label] = (binned[label] ?? 0) + count;
  }
  return binned;
}
