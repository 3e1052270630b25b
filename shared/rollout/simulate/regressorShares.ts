import { normalCdf } from '../normal';
import { predictionBinLabels } from '../predictionBins';

/**
 * The share of a regressor's predictions in each canary bin (predictionBins.ts) when they are
 * normal with this mean and spread: how the simulator plays a regressor, whose bins then act as
 * a classifier's classes (equal, biased by a shift of the mean, noisier by a wider spread).
 */
export function regressorShares(edges: readonly number[], mean: number, sd: number): Record<string, number> {
  const cdf = edges.map((edge) => normalCdf((edge - mean) / sd));
  const shares = [cdf[0]!, ...cdf.slice(1).map((c, i) => c - cdf[i]!), 1 - cdf[cdf.length - 1]!];
  return Object.fromEntries(predictionBinLabels(edges).map((label, i) => [label, shares[i]!]));
}
