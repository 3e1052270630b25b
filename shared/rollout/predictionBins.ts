/**
 * A regressor's predictions, as the canary's prediction check counts them: the router keys
 * counts by the answer's first prediction, which for a regressor is a different number almost
 * every time, so the counts are put into a few fixed bins before the test, and each bin's share
 * is then compared between canary and stable as a class's share is for a classifier
 * (updateCanaryAnalysis: a two-sided always-valid test per bin). A biased regressor moves mass
 * between neighbouring bins; a noisier one moves it to the outer bins.
 */

/** Quantiles of the baseline's predictions the bins are cut at: six bins, each holding 10-25 % of them. */
const CUTS = ['p10', 'p25', 'p50', 'p75', 'p90'] as const;

/** Predictions that are not a finite number: their own bin, so a canary answering garbage shows. */
export const NOT_A_NUMBER_BIN = 'not a number';

/** Bin edges from a numeric profile's quantiles (ascending, duplicates dropped: a model with few distinct answers). */
export function predictionBinEdges(quantiles: Readonly<Record<string, number>>): number[] {
  const edges = CUTS.map((q) => quantiles[q]).filter((v): v is number => v !== undefined && Number.isFinite(v));
  return [...new Set(edges)].sort((a, b) => a - b);
}

const fmt = (v: number) => String(Number(v.toPrecision(4)));

/** Readable bin names, in order: "< 84.2", "84.2 to 91", …, ">= 120.3". */
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
