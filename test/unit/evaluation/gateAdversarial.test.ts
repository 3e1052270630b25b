import { EvaluationPolicy } from '../../../shared/config/schema';
import { decideGate } from '../../../shared/evaluation/gate';
import { Release } from '../../../shared/release/types';
import type { PairedRows } from '../../../shared/evaluation/paired/pairedEvidence';
import { judgeComparison } from '../../../shared/evaluation/judgeComparison';
import { normalEvidence } from '../../../shared/evaluation/paired/evidence';
import { normalQuantile } from '../../../shared/rollout/normal';

/** Binary rows with the given positive-class scores per model. */
function scored(truth: string[], candidate: number[], champion: number[]): PairedRows {
  const model = (s: number[]) => ({
    labels: s.map((p) => (p > 0.5 ? '1' : '0')),
    probabilities: s.map((p) => [1 - p, p]),
    classes: ['0', '1'],
  });
  return { truth, candidate: model(candidate), champion: model(champion) };
}
const aucOf = (rows: PairedRows, who: 'candidate' | 'champion') => {
  const s = rows[who].probabilities!.map((p) => p[1]!);
  let wins = 0,
    pairs = 0;
  rows.truth.forEach((t, i) =>
    rows.truth.forEach((u, j) => {
      if (t === '1' && u === '0') {
        pairs++;
        wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
    }),
  );
  return wins / pairs;
};
const gate = (rows: PairedRows, overrides: Record<string, unknown> = {}, metric = 'auc') => {
  const policy = EvaluationPolicy.parse({ metric, ...overrides });
  const metrics = (who: 'candidate' | 'champion') => ({ [metric]: metric === 'auc' ? aucOf(rows, who) : 0.5 });
  return decideGate(policy, metrics('candidate'), metrics('champion'), { rows });
};

describe('the gate on tiny holdouts', () => {
  it('does not promote a candidate that happens to separate 4 rows perfectly over a constant champion (DeLong variance 0)', async () => {
    const rows = scored(['0', '1', '0', '1'], [0.1, 0.9, 0.2, 0.8], [0.5, 0.5, 0.5, 0.5]);
    const decision = await gate(rows);
    // A random ranking separates 2 + 2 rows perfectly one time in six.
    expect(decision).toMatchObject({
      passed: false,
      outcome: 'inconclusive',
      comparison: { pValue: 1 / 6, interval: { low: -1, high: 1 } },
    });
    expect(decision.reason).toContain(
      'DeLong p 0.17 for improvement ≤ 0.0000, on 4 held-out rows); more held-out rows would settle it (these vary too little to say how many)',
    );
    expect((await gate(rows, { inconclusive: 'promote' })).passed).toBe(false);
  });

  it('does not reject on 4 rows either, with a p-value of 0', async () => {
    const rows = scored(['0', '1', '0', '1'], [0.5, 0.5, 0.5, 0.5], [0.1, 0.9, 0.2, 0.8]);
    expect(await gate(rows)).toMatchObject({ passed: false, outcome: 'inconclusive' });
  });

  it('promotes a perfect ranking once chance alone would produce it at most alpha of the time (1 in 924 on 6 + 6 rows)', async () => {
    const truth = Array.from({ length: 12 }, (_, i) => String(i % 2));
    const rows = scored(
      truth,
      truth.map((t, i) => (t === '1' ? 0.6 : 0.4) + i / 1000),
      truth.map(() => 0.5),
    );
    expect(await gate(rows)).toMatchObject({ passed: true, outcome: 'promote', comparison: { pValue: 1 / 924 } });
  });

  it('a McNemar comparison where every row favours one model does not say that no number of rows would settle it', async () => {
    const rows = scored(['0', '1'], [0.2, 0.8], [0.7, 0.3]);
    const decision = await gate(rows, {}, 'accuracy');
    expect(decision).toMatchObject({ outcome: 'inconclusive', comparison: { improvement: 1, pValue: 0.25 } });
    expect(decision.reason).toContain('more held-out rows would settle it (these vary too little to say how many)');
  });

  it('every number of a tiny-holdout verdict is finite and the record reads it back', async () => {
    for (const rows of [
      scored(['0', '1'], [0.2, 0.8], [0.7, 0.3]),
      scored(['0', '1', '0', '1'], [0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]),
    ]) {
      const decision = await gate(rows);
      expect(Release.shape.gate.parse(JSON.parse(JSON.stringify(decision)))).toEqual(decision);
    }
  });
});

describe('rows needed for models that are practically equal', () => {
  it('a difference of float noise gives no absurd row count, and the record still reads the verdict', async () => {
    const judged = judgeComparison(normalEvidence('DeLong', 1000, 1e-12, 0.01), EvaluationPolicy.parse({}));
    expect(judged.comparison.rowsNeeded).toBeUndefined();
    expect(judged.sentence).toContain('more than 1000000000 held-out rows would be needed: the two models are practically equal');
    const gateRecord = {
      passed: false,
      metric: 'auc',
      candidate: 0.8,
      reason: judged.sentence,
      outcome: judged.comparison.outcome,
      comparison: judged.comparison,
    };
    expect(Release.shape.gate.parse(JSON.parse(JSON.stringify(gateRecord)))).toEqual(gateRecord);
  });

  it('still states a large but reachable number', async () => {
    const judged = judgeComparison(normalEvidence('DeLong', 1000, 0.001, 0.01), EvaluationPolicy.parse({}));
    expect(judged.comparison.rowsNeeded).toBe(Math.ceil(1000 * ((normalQuantile(0.95) + normalQuantile(0.8)) * 10) ** 2));
  });
});
