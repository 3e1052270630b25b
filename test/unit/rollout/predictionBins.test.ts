import { binPredictionCounts, NOT_A_NUMBER_BIN, predictionBinEdges, predictionBinLabels } from '../../../shared/rollout/predictionBins';

describe("a regressor's predictions in the canary's bins", () => {
  const quantiles = { p1: 60, p5: 70, p10: 80, p25: 90, p50: 100, p75: 110, p90: 120, p95: 130, p99: 140 };

  it("cuts three bins at the baseline predictions' quartiles, with readable names", () => {
    const edges = predictionBinEdges(quantiles);
    expect(edges).toEqual([90, 110]);
    expect(predictionBinLabels(edges)).toEqual(['< 90', '90 to 110', '>= 110']);
    // A model with few distinct answers: duplicate edges fold.
    expect(predictionBinEdges({ p25: 1, p75: 1 })).toEqual([1]);
  });

  it('sums counts keyed by prediction into the bins, and keeps answers that are not numbers apart', () => {
    const edges = predictionBinEdges(quantiles);
    const counts = { '79.99': 2, '89.999': 1, '90': 1, '104.5': 3, '110': 1, '250': 4, yes: 2, '': 1, NaN: 1 };
    expect(binPredictionCounts(counts, edges)).toEqual({
      '< 90': 3,
      '90 to 110': 4,
      '>= 110': 5,
      [NOT_A_NUMBER_BIN]: 4,
    });
  });
});
