import { accuracy, argmax, computeMetrics, f1ForClass, logLoss, macroAucOvR, macroF1, rocAuc } from '../../../shared/evaluation/metrics';

describe('rocAuc', () => {
  it("matches scikit-learn's documented example roc_auc_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.75", () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });

  it('counts a positive tied with a negative as half a correctly ordered pair', () => {
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.5, 0.5, 0.9])).toBeCloseTo(3.5 / 4, 12);
  });

  it('is 1 for a perfect ranking and 0 for a reversed one, whatever the score scale', () => {
    expect(rocAuc([false, false, true], [-10, 3, 1e9])).toBe(1);
    expect(rocAuc([1, 1, 0], [0.1, 0.2, 0.3])).toBe(0);
  });

  it('is NaN when only one class is present, because AUC is undefined there', () => {
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
  });
});

describe('macroAucOvR', () => {
  it('averages the one-vs-rest AUC of every class (hand-computed: 0.75, 0.9375, 0.875)', () => {
    const probabilities = [
      [0.7, 0.2, 0.1],
      [0.3, 0.4, 0.3],
      [0.2, 0.5, 0.3],
      [0.4, 0.4, 0.2],
      [0.1, 0.3, 0.6],
      [0.5, 0.2, 0.3],
    ];
    expect(macroAucOvR([0, 0, 1, 1, 2, 2], probabilities)).toBeCloseTo((0.75 + 0.9375 + 0.875) / 3, 12);
  });

  it('skips classes absent from yTrue instead of returning NaN', () => {
    expect(
      macroAucOvR(
        [0, 1],
        [
          [0.9, 0.1, 0],
          [0.2, 0.8, 0],
        ],
      ),
    ).toBe(1);
  });
});

describe('logLoss', () => {
  it("matches scikit-learn's documented example (0.21616)", () => {
    // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]); ham = 0, spam = 1
    expect(
      logLoss(
        [1, 0, 0, 1],
        [
          [0.1, 0.9],
          [0.9, 0.1],
          [0.8, 0.2],
          [0.35, 0.65],
        ],
      ),
    ).toBeCloseTo(0.21616, 5);
  });

  it('clips a zero probability so one confident mistake stays finite', () => {
    expect(logLoss([0], [[0, 1]])).toBeCloseTo(-Math.log(1e-15), 6);
  });
});

describe('accuracy and F1', () => {
  it("matches scikit-learn's documented accuracy_score([0,2,1,3], [0,1,2,3]) = 0.5", () => {
    expect(accuracy([0, 2, 1, 3], [0, 1, 2, 3])).toBe(0.5);
  });

  it("matches scikit-learn's documented macro F1 of 0.267 for [0,1,2,0,1,2] vs [0,2,1,0,0,1]", () => {
    expect(macroF1([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1])).toBeCloseTo(0.26667, 5);
  });

  it('gives F1 0 to a class that is never predicted (zero_division=0)', () => {
    expect(f1ForClass([1, 1, 0], [0, 0, 0], 1)).toBe(0);
  });

  it('compares labels by their text, so "1" from a CSV equals 1 from a scorer', () => {
    expect(accuracy(['1', '0'], [1, 0])).toBe(1);
  });
});

describe('computeMetrics', () => {
  it('reports binary AUC, accuracy, positive-class F1 and log loss for two classes', () => {
    const metrics = computeMetrics(
      ['spam', 'ham', 'ham', 'spam'],
      [
        [0.1, 0.9],
        [0.9, 0.1],
        [0.8, 0.2],
        [0.35, 0.65],
      ],
      ['ham', 'spam'],
    );
    expect(metrics).toEqual({ auc: 1, accuracy: 1, f1: 1, log_loss: expect.closeTo(0.21616, 5) });
    expect(Object.keys(metrics)).toEqual(['auc', 'accuracy', 'f1', 'log_loss']);
  });

  it('uses macro one-vs-rest AUC and macro F1 for more than two classes', () => {
    const probabilities = [
      [0.7, 0.2, 0.1],
      [0.3, 0.4, 0.3],
      [0.2, 0.5, 0.3],
      [0.4, 0.4, 0.2],
      [0.1, 0.3, 0.6],
      [0.5, 0.2, 0.3],
    ];
    const metrics = computeMetrics(['a', 'a', 'b', 'b', 'c', 'c'], probabilities, ['a', 'b', 'c']);
    expect(metrics.auc).toBeCloseTo(2.5625 / 3, 12);
    // predictions (first on ties): a, b, b, a, c, a
    expect(metrics.accuracy).toBeCloseTo(3 / 6, 12);
    expect(metrics.f1).toBeCloseTo(macroF1(['a', 'a', 'b', 'b', 'c', 'c'], ['a', 'b', 'b', 'a', 'c', 'a']), 12);
  });

  it('counts a true label the model never saw as wrong rather than failing', () => {
    const metrics = computeMetrics(
      [0, 1, 2],
      [
        [0.9, 0.1],
        [0.2, 0.8],
        [0.5, 0.5],
      ],
      [0, 1],
    );
    expect(metrics.accuracy).toBeCloseTo(2 / 3, 12);
    expect(metrics.log_loss).toBeGreaterThan(10);
  });

  it('refuses probability rows whose length does not match the classes', () => {
    expect(() => computeMetrics([0], [[1]], [0, 1])).toThrow('probabilities[0] has 1 values but there are 2 classes');
  });

  it('argmax picks the first of tied maxima', () => {
    expect(argmax([0.4, 0.4, 0.2])).toBe(0);
  });
});
