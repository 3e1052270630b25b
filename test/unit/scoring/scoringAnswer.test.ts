import { readScoringAnswer, sortedClasses, UnreadableAnswerError } from '../../../shared/scoring/scoringAnswer';
import { metricsFromAnswers } from '../../../shared/evaluation/answerMetrics';
import { checkMetrics } from '../../../shared/evaluation/metrics';

describe('readScoringAnswer: the shapes Azure ML scoring scripts return', () => {
  it('reads a plain list of labels (what most score.py files return)', () => {
    expect(readScoringAnswer([1, 0, 1])).toEqual({ predictions: [1, 0, 1] });
  });

  it('reads {"predictions"} with per-class probability lists and classes', () => {
    expect(readScoringAnswer({ predictions: ['a'], probabilities: [[0.8, 0.2]], classes: ['a', 'b'] })).toEqual({
      predictions: ['a'],
      probabilities: [[0.8, 0.2]],
      classes: ['a', 'b'],
    });
  });

  it('takes predict_proba as probabilities', () => {
    expect(readScoringAnswer({ predictions: [1], predict_proba: [[0.3, 0.7]] }).probabilities).toEqual([[0.3, 0.7]]);
  });

  it('reads probabilities as one {class: p} object per row, keys in the first row order', () => {
    const answer = readScoringAnswer({
      predictions: ['no', 'yes'],
      probabilities: [
        { no: 0.9, yes: 0.1 },
        { yes: 0.6, no: 0.4 },
      ],
    });
    expect(answer.classes).toEqual(['no', 'yes']);
    expect(answer.probabilities).toEqual([
      [0.9, 0.1],
      [0.4, 0.6],
    ]);
  });

  it('unwraps an answer that run() JSON-encoded itself (json.dumps returned and encoded again)', () => {
    expect(readScoringAnswer(JSON.stringify({ predictions: [0, 1] }))).toEqual({ predictions: [0, 1] });
    expect(readScoringAnswer('[1, 1]')).toEqual({ predictions: [1, 1] });
  });

  it('refuses what it cannot read, saying what it found and what it expects', () => {
    expect(() => readScoringAnswer({ result: [1] })).toThrow(/no 'predictions' \(it has 'result'\).*list of predictions/);
    expect(() => readScoringAnswer({ predictions: '1' })).toThrow(/'predictions' is a string/);
    expect(() => readScoringAnswer(42)).toThrow(UnreadableAnswerError);
    expect(() => readScoringAnswer('not json')).toThrow(/string that is not JSON/);
    expect(() => readScoringAnswer({ predictions: [1], probabilities: [[0.1, 'x']] })).toThrow(/'probabilities' must be/);
    expect(() => readScoringAnswer({ predictions: [1, 0], probabilities: [{ a: 1 }, { b: 1 }] })).toThrow(
      /\[1\] has no probability for class 'a'/,
    );
  });

  it('refuses probability rows that mix lists and objects, hold non-numbers or non-finite numbers', () => {
    for (const probabilities of [
      [[0.5, 0.5], { a: 1 }],
      [{ a: 0.5, b: '0.5' }],
      [[0.5, Infinity]],
      [[Number.NaN, 1]],
      [null],
      'x',
      [[0.5], 0.5],
    ]) {
      expect(() => readScoringAnswer({ predictions: [1, 0], probabilities })).toThrow(/'probabilities' must be/);
    }
    expect(readScoringAnswer({ predictions: [], probabilities: [] }).probabilities).toEqual([]);
  });
});

describe('sortedClasses: the order scikit-learn gives classes_', () => {
  it('sorts numeric labels as numbers and others as strings', () => {
    expect(sortedClasses(['10', '2', '1', '2'])).toEqual(['1', '2', '10']);
    expect(sortedClasses(['b', 'a', 'B'])).toEqual(['B', 'a', 'b']);
  });
});

describe('metricsFromAnswers', () => {
  const truth = ['0', '1', '1', '0'];

  it('computes every metric from probabilities without classes, in sorted class order', () => {
    const result = metricsFromAnswers(truth, [
      {
        predictions: [0, 1],
        probabilities: [
          [0.9, 0.1],
          [0.2, 0.8],
        ],
      },
      {
        predictions: [1, 0],
        probabilities: [
          [0.4, 0.6],
          [0.7, 0.3],
        ],
      },
    ]);
    expect(result.metrics['auc']).toBe(1);
    expect(result.metrics['accuracy']).toBe(1);
    expect(result.withoutProbabilities).toBeUndefined();
  });

  it('gives accuracy and f1 for labels only, and says why auc is absent', () => {
    const result = metricsFromAnswers(truth, [{ predictions: [0, 1, 0, 0] }]);
    expect(result.metrics).toEqual({ accuracy: 0.75, f1: 2 / 3 });
    const checked = checkMetrics(result.metrics, truth, ['auc'], result.withoutProbabilities);
    expect(checked.missing['auc']).toMatch(/needs class probabilities and the scorer returned labels only.*accuracy or f1/);
  });

  it('refuses probability lists whose width does not match the classes it can infer', () => {
    const result = metricsFromAnswers(truth, [
      {
        predictions: [0, 1, 1, 0],
        probabilities: [
          [1, 0, 0],
          [0, 1, 0],
          [0, 1, 0],
          [1, 0, 0],
        ],
      },
    ]);
    expect(result.metrics['auc']).toBeUndefined();
    expect(result.withoutProbabilities).toMatch(/3 probabilities per row without naming its classes.*return 'classes'/);
  });

  it('fails when the scorer returns a different number of predictions than rows', () => {
    expect(() => metricsFromAnswers(truth, [{ predictions: [0] }])).toThrow(/1 predictions for 4 rows/);
  });
});
