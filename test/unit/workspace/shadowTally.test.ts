import { comparePredictions, ShadowTally } from '../../../adapters/local/inference/shadowTally';
import { readPredictions } from '../../../adapters/local/inference/responseBody';

describe('comparePredictions', () => {
  it('agrees only when every prediction matches, element by element', () => {
    expect(comparePredictions({ status: 200, predictions: [1, 'a', [0, 1]] }, { status: 200, predictions: [1, 'a', [0, 1]] })).toEqual({
      compared: true,
      agreed: true,
    });
    expect(comparePredictions({ status: 200, predictions: [1, 0] }, { status: 200, predictions: [1, 1] })).toEqual({
      compared: true,
      agreed: false,
    });
    expect(comparePredictions({ status: 200, predictions: [1] }, { status: 200, predictions: [1, 1] })).toEqual({
      compared: true,
      agreed: false,
    });
  });

  it('compares nothing when either side failed or has no predictions', () => {
    expect(comparePredictions({ status: 500 }, { status: 200, predictions: [1] }).compared).toBe(false);
    expect(comparePredictions({ status: 200, predictions: [1] }, { status: 502 }).compared).toBe(false);
    expect(comparePredictions({ status: 200, predictions: [1] }, { status: 200 }).compared).toBe(false);
  });
});

describe('ShadowTally', () => {
  it('counts mirrored, compared and agreed requests and each side errors', () => {
    const tally = new ShadowTally();
    tally.add({ status: 200, predictions: [1] }, { status: 200, predictions: [1] });
    tally.add({ status: 200, predictions: [1] }, { status: 200, predictions: [0] });
    tally.add({ status: 200, predictions: [1] }, { status: 504 });
    tally.add({ status: 500 }, { status: 200, predictions: [1] });
    expect(tally.report()).toEqual({ mirrored: 4, compared: 2, agreed: 1, shadowErrors: 1, liveErrors: 1 });
  });
});

describe('readPredictions', () => {
  it('reads the predictions array of a JSON answer and nothing else', () => {
    expect(readPredictions(Buffer.from('{"predictions":[1,0],"probabilities":[[0,1]]}'))).toEqual([1, 0]);
    expect(readPredictions(Buffer.from('{"result":1}'))).toBeUndefined();
    expect(readPredictions(Buffer.from('{"predictions":"1"}'))).toBeUndefined();
    expect(readPredictions(Buffer.from('not json'))).toBeUndefined();
    expect(readPredictions(undefined)).toBeUndefined();
  });
});

describe("a regressor's shadow (numbers compared within a tolerance)", () => {
  it('counts numbers within the tolerance as agreeing, and still compares labels exactly', () => {
    const live = { status: 200, predictions: [151.2] };
    expect(comparePredictions(live, { status: 200, predictions: [160] }, 10)).toEqual({ compared: true, agreed: true });
    expect(comparePredictions(live, { status: 200, predictions: [161.3] }, 10)).toEqual({ compared: true, agreed: false });
    expect(comparePredictions(live, { status: 200, predictions: [151.2000001] })).toEqual({ compared: true, agreed: false });
    expect(comparePredictions({ status: 200, predictions: ['a'] }, { status: 200, predictions: ['a'] }, 10).agreed).toBe(true);
    const tally = new ShadowTally();
    tally.add(live, { status: 200, predictions: [155] }, 5);
    tally.add(live, { status: 200, predictions: [170] }, 5);
    expect(tally.report()).toMatchObject({ compared: 2, agreed: 1 });
  });

  it('reads numeric strings as numbers within the tolerance, as the evaluation reads a scorer that json.dumps numpy values', () => {
    const strings = { status: 200, predictions: ['151.2'] };
    expect(comparePredictions(strings, { status: 200, predictions: ['155.0'] }, 5)).toEqual({ compared: true, agreed: true });
    expect(comparePredictions({ status: 200, predictions: [151.2] }, strings, 5)).toEqual({ compared: true, agreed: true });
    expect(comparePredictions(strings, { status: 200, predictions: ['170'] }, 5).agreed).toBe(false);
    // Without a tolerance (a classifier's shadow) "1" and 1 stay different labels.
    expect(comparePredictions({ status: 200, predictions: ['1'] }, { status: 200, predictions: [1] }).agreed).toBe(false);
  });
});
