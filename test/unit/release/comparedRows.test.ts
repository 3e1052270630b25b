import type { GateDecision } from '../../../shared/evaluation/gate';
import { withComparedRows, type ComparableRows } from '../../../shared/release/stages/comparableRows';

const promote: GateDecision = {
  passed: true,
  outcome: 'promote',
  metric: 'auc',
  candidate: 0.93,
  champion: 0.9,
  reason: 'auc 0.9300 vs champion 0.9000: better',
};
const comparison = (conclusive: boolean): ComparableRows => ({
  rows: [],
  compared: { rows: conclusive ? 98 : 3, excluded: conclusive ? 16 : 111, championRows: 'known', conclusive },
  note: conclusive ? '; compared on 98 held-out rows; 16 left out: the champion was trained on them' : '; inconclusive: too few',
});

describe('withComparedRows', () => {
  it('adds which rows were compared to the verdict and keeps its outcome when enough were left', () => {
    expect(withComparedRows(promote, comparison(true))).toEqual({
      ...promote,
      reason: `${promote.reason}; compared on 98 held-out rows; 16 left out: the champion was trained on them`,
    });
  });

  it('turns a promotion on too few fair rows into an inconclusive verdict that keeps the champion', () => {
    expect(withComparedRows(promote, comparison(false))).toEqual({
      ...promote,
      passed: false,
      outcome: 'inconclusive',
      reason: `${promote.reason}; inconclusive: too few`,
    });
  });

  it('leaves a rejection a rejection: too few rows never make a worse candidate look inconclusive', () => {
    const reject: GateDecision = { ...promote, passed: false, outcome: 'reject', reason: 'auc 0.6 < floor 0.7' };
    expect(withComparedRows(reject, comparison(false))).toEqual({ ...reject, reason: 'auc 0.6 < floor 0.7; inconclusive: too few' });
  });
});
