import { binPredictionCounts, NOT_A_NUMBER_BIN, predictionBinEdges, predictionBinLabels } from '../../../shared/rollout/predictionBins';

describe("a regressor's predictions in the canary's bins", () => {
  const quantiles = { p1: 60, p5: 70, p10: 80, p25: 90, p50: 100, p75: 110, p90: 120, p95: 130, p99: 140 };

  it("cuts six bins at the baseline predictions' deciles and quartiles, with readable names", () => {
    const edges = predictionBinEdges(quantiles);
    expect(edges).toEqual([80, 90, 100, 110, 120]);
    expect(predictionBinLabels(edges)).toEqual(['< 80', '80 to 90', '90 to 100', '100 to 110', '110 to 120', '>= 120']);
    // A model with few distinct answers: duplicate edges fold.
    expect(predictionBinEdges({ p10: 1, p25: 1, p50: 2, p75: 2, p90: 3 })).toEqual([1, 2, 3]);
  });

  it('sums counts keyed by prediction into the bins, and keeps answers that are not numbers apart', () => {
    const edges = predictionBinEdges(quantiles);
    const counts = { '79.99': 2, '80': 1, '104.5': 3, '119.999': 1, '250': 4, yes: 2, '': 1, NaN: 1 };
    expect(binPredictionCounts(counts, edges)).toEqual({
      '< 80': 2,
      '80 to 90': 1,
      '100 to 110': 3,
      '110 to 120': 1,
      '>= 120': 4,
      [NOT_A_NUMBER_BIN]: 4,
    });
  });
});
