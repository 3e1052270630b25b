import { EvaluationPolicy } from '../../../shared/config/schema';
import { Release } from '../../../shared/release/types';
import { decideGate } from '../../../shared/evaluation/gate';
import type { PairedRows } from '../../../shared/evaluation/paired/pairedEvidence';

/** n rows of class 'y': b only the candidate gets right, c only the champion, the rest both. */
function accuracyRows(n: number, b: number, c: number): PairedRows {
  const truth = Array.from({ length: n }, () => 'y');
  return {
    truth,
    candidate: { labels: truth.map((_, i) => (i >= b && i < b + c ? 'n' : 'y')) },
    champion: { labels: truth.map((_, i) => (i < b ? 'n' : 'y')) },
  };
}

const policy = (overrides: Record<string, unknown> = {}) => EvaluationPolicy.parse({ metric: 'accuracy', ...overrides });
const gate = (p: ReturnType<typeof policy>, rows: PairedRows) => {
  const acc = (labels: readonly string[]) => labels.filter((l, i) => l === rows.truth[i]).length / labels.length;
  return decideGate(p, { accuracy: acc(rows.candidate.labels) }, { accuracy: acc(rows.champion.labels) }, { rows });
};

describe('decideGate with a champion', () => {
  it('promotes a candidate that is better with confidence 1 − alpha, and states the estimate, CI, test, p-value and rows', async () => {
    const decision = await gate(policy(), accuracyRows(1000, 60, 20));
    expect(decision).toMatchObject({
      passed: true,
      outcome: 'promote',
      comparison: {
        outcome: 'promote',
        test: 'McNemar (normal, continuity-corrected)',
        rows: 1000,
        improvement: 0.04,
        hypothesis: 'improvement ≤ 0.0000',
      },
    });
    expect(decision.comparison!.pValue).toBeLessThan(0.001);
    expect(decision.comparison!.interval.low).toBeGreaterThan(0);
    expect(decision.reason).toMatch(
      /^accuracy 0\.9800 vs champion 0\.9400: better by 0\.0400 \(90% CI 0\.02\d\d to 0\.05\d\d; McNemar \(normal, continuity-corrected\) p < 0\.0001 for improvement ≤ 0\.0000, on 1000 held-out rows\)$/,
    );
  });

  it('rejects a candidate that is significantly worse, and says worse', async () => {
    const decision = await gate(policy(), accuracyRows(1000, 20, 60));
    expect(decision).toMatchObject({ passed: false, outcome: 'reject', comparison: { hypothesis: 'improvement ≥ 0.0000' } });
    expect(decision.reason).toContain('worse by 0.0400');
    expect(decision.comparison!.interval.high).toBeLessThan(0);
  });

  it('rejects a candidate that surely falls short of minImprovement though not worse', async () => {
    const decision = await gate(policy({ minImprovement: 0.08 }), accuracyRows(1000, 60, 20));
    expect(decision).toMatchObject({ passed: false, outcome: 'reject' });
    expect(decision.reason).toContain('improvement 0.0400 falls short of minImprovement 0.0800');
  });

  it('keeps the champion when inconclusive, says so (not "worse"), and how many rows would settle it', async () => {
    const decision = await gate(policy(), accuracyRows(1000, 30, 28));
    expect(decision).toMatchObject({
      passed: false,
      outcome: 'inconclusive',
      comparison: { outcome: 'inconclusive', rowsNeeded: expect.any(Number) },
    });
    expect(decision.comparison!.rowsNeeded).toBe(89_641); // (z₀.₉₅ + z₀.₈)² · (58/1000 − 0.002²) / 0.002²
    expect(decision.reason).toMatch(
      /: inconclusive, improvement 0\.0020 .*; about \d+ held-out rows would settle it; the champion stays \(evaluation\.inconclusive: keepChampion\)$/,
    );
    expect(decision.reason).not.toContain('worse');
  });

  it('with inconclusive: promote, promotes only when not worse than the non-inferiority margin with confidence 1 − alpha', async () => {
    const rows = accuracyRows(10_000, 300, 295);
    expect(await gate(policy({ inconclusive: 'promote', nonInferiorityMargin: 0.01 }), rows)).toMatchObject({
      passed: true,
      outcome: 'inconclusive',
    });
    const strict = await gate(policy({ inconclusive: 'promote', nonInferiorityMargin: 0.001 }), rows);
    expect(strict).toMatchObject({ passed: false, outcome: 'inconclusive' });
    expect(strict.reason).toContain('not promoted: it may be worse by more than nonInferiorityMargin 0.0010');
  });

  it('a smaller alpha needs stronger evidence to promote', async () => {
    const rows = accuracyRows(1000, 40, 22);
    expect((await gate(policy({ alpha: 0.05 }), rows)).outcome).toBe('promote');
    expect((await gate(policy({ alpha: 0.001 }), rows)).outcome).toBe('inconclusive');
  });

  it('compares log_loss in its own direction: a lower loss is an improvement', async () => {
    const truth = Array.from({ length: 200 }, (_, i) => (i % 2 ? 'a' : 'b'));
    const probs = (p: number) => truth.map((t) => (t === 'a' ? [p, 1 - p] : [1 - p, p]));
    const rows: PairedRows = {
      truth,
      candidate: { labels: truth, probabilities: probs(0.8), classes: ['a', 'b'] },
      champion: { labels: truth, probabilities: probs(0.6), classes: ['a', 'b'] },
    };
    const decision = await decideGate(
      EvaluationPolicy.parse({ metric: 'log_loss', bootstrapSamples: 200 }),
      { log_loss: -Math.log(0.8) },
      { log_loss: -Math.log(0.6) },
      { rows },
    );
    expect(decision).toMatchObject({ passed: true, outcome: 'promote', comparison: { test: 'paired bootstrap (200 resamples)' } });
    expect(decision.comparison!.improvement).toBeCloseTo(Math.log(0.8) - Math.log(0.6), 12);
  });

  it('applies only the floor when the rows cannot support the paired test, and says why', async () => {
    const rows = accuracyRows(10, 1, 1);
    const decision = await decideGate(EvaluationPolicy.parse({ metric: 'auc' }), { auc: 0.8 }, { auc: 0.9 }, { rows });
    expect(decision).toMatchObject({
      passed: true,
      outcome: 'promote',
      reason:
        'auc 0.8000 meets floor 0.5000; cannot compare auc row by row: the candidate gave no class probabilities for every row, so only the floor applies',
    });
  });

  it('still rejects under the floor before any test', async () => {
    expect(await gate(policy({ floor: 0.99 }), accuracyRows(1000, 60, 20))).toMatchObject({
      passed: false,
      outcome: 'reject',
      reason: 'accuracy 0.9800 < floor 0.9900',
    });
  });

  it('refuses to compare with a champion without the per-row answers', async () => {
    await expect(decideGate(policy(), { accuracy: 0.9 }, { accuracy: 0.8 })).rejects.toThrow(TypeError);
  });
});

describe('the gate on the release record', () => {
  it('still reads a verdict stored before the paired gate (no outcome, no comparison)', async () => {
    const old = {
      passed: false,
      metric: 'auc',
      candidate: 0.61,
      champion: 0.9,
      reason: 'auc 0.6100 does not beat champion 0.9000 by 0.0100 (improvement -0.2900)',
    };
    expect(Release.shape.gate.parse(old)).toEqual(old);
  });

  it('stores a decision with its comparison as it is', async () => {
    const decision = await gate(policy(), accuracyRows(1000, 30, 28));
    expect(Release.shape.gate.parse(JSON.parse(JSON.stringify(decision)))).toEqual(decision);
  });
});
