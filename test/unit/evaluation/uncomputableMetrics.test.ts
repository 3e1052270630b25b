import { parseBlobCreated } from '../../../shared/events/blobCreated';
import type { ScoreResponse } from '../../../shared/ports';
import { decideGate } from '../../../shared/evaluation/gate';
import { checkMetrics } from '../../../shared/evaluation/metrics';
import { csv, harness } from '../release/harness';

/**
 * A candidate whose classes are none of the holdout's labels (what a label that is unique
 * per row gives): AUC cannot be computed. The release must end with that reason, and no
 * metric that is not a finite number may reach the stored record (JSON would store null).
 */
describe('evaluate with metrics that cannot be computed', () => {
  const strangerScorer = (_s: unknown, request: { input_data: { data: unknown[][] } }): ScoreResponse => ({
    predictions: request.input_data.data.map(() => 'a'),
    probabilities: request.input_data.data.map(() => [0.7, 0.3]),
    classes: ['a', 'b'],
  });

  it('ends the release rejected with the reason, and stores only finite metrics', async () => {
    const h = harness();
    h.workspaces.dev.scorer = strangerScorer;
    const { release } = (await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/day1.csv', csv())))) as {
      release: { id: string };
    };
    await h.drain();

    const raw = (await h.deps.table.get<Record<string, unknown>>('release', release.id))!.value;
    expect(JSON.stringify(raw['metrics'])).not.toContain('null');
    const stored = (await h.engine.repo.get(release.id))!.value;
    expect(stored.status).toBe('rejected');
    expect(stored.reason).toBe(
      "evaluation gate: auc could not be computed: fewer than two of the holdout's classes are classes the model knows",
    );
    expect(stored.metrics.candidate).toEqual({ accuracy: 0, f1: 0, log_loss: expect.any(Number) });
    expect(stored.gate).toMatchObject({ passed: false, metric: 'auc', candidate: null });
    expect(h.workspaces.prod.endpoints.size).toBe(0);
  });
});

describe('checkMetrics and decideGate', () => {
  const policy = {
    metric: 'auc' as const,
    floor: 0.6,
    minImprovement: 0.01,
    holdoutFraction: 0.2,
    seed: 1,
    alpha: 0.05,
    inconclusive: 'keepChampion' as const,
    nonInferiorityMargin: 0.01,
    bootstrapSamples: 2000,
  };

  it('checkMetrics keeps finite metrics and says why each other one is absent', async () => {
    expect(checkMetrics({ accuracy: Number.NaN, auc: Number.NaN }, [])).toEqual({
      values: {},
      missing: { accuracy: 'the holdout has no rows', auc: 'the holdout has no rows' },
    });
    expect(checkMetrics({ auc: Number.NaN, f1: 0.5, log_loss: Infinity }, ['1', '1'])).toEqual({
      values: { f1: 0.5 },
      missing: {
        auc: 'every holdout row has the same class, and AUC needs two',
        log_loss: "the scorer's probabilities gave Infinity; are they numbers between 0 and 1?",
      },
    });
  });

  it('checkMetrics gives a reason for an expected metric that is absent altogether', async () => {
    expect(checkMetrics({ accuracy: Number.NaN }, [], ['auc']).missing).toEqual({
      accuracy: 'the holdout has no rows',
      auc: 'the holdout has no rows',
    });
    expect(checkMetrics({ accuracy: 0.5 }, ['1', '0'], ['auc']).missing).toEqual({
      auc: 'the scorer returned no class probabilities for it',
    });
  });

  it('decideGate never passes a candidate whose metric is NaN or Infinity, and names the reason', async () => {
    for (const value of [Number.NaN, Infinity, -Infinity]) {
      expect(await decideGate(policy, { auc: value })).toMatchObject({ passed: false, reason: "the candidate has no 'auc' metric" });
    }
    expect(await decideGate(policy, {}, undefined, { missing: { auc: 'the holdout has no rows' } })).toMatchObject({
      passed: false,
      reason: 'auc could not be computed: the holdout has no rows',
    });
  });

  it('decideGate applies only the floor when the champion metric is not finite, and says so', async () => {
    const decision = await decideGate(policy, { auc: 0.8 }, { auc: Number.NaN }, { championMissing: { auc: 'the holdout has no rows' } });
    expect(decision).toEqual({
      passed: true,
      outcome: 'promote',
      metric: 'auc',
      candidate: 0.8,
      reason:
        "auc 0.8000 meets floor 0.6000; the champion's auc could not be computed (the holdout has no rows), so only the floor applies",
    });
  });
});

describe('evaluate on a holdout without rows (a label unique per row leaves none)', () => {
  it('rejects the release because the holdout has no rows, and stores no metric of it', async () => {
    const h = harness();
    const unique = csv(300)
      .split('\n')
      .map((line, i) => (i === 0 || !line ? line : line.replace(/,[^,]*$/, `,${i}`)))
      .join('\n');
    const { release } = (await h.engine.onDataArrival(parseBlobCreated(await h.upload('default/unique.csv', unique)))) as {
      release: { id: string };
    };
    await h.drain();
    const stored = (await h.engine.repo.get(release.id))!.value;
    // The data gate may refuse such a label column earlier; if it does not, evaluation must end it with the reason.
    if (stored.stage === 'validate') return expect(stored.status).toBe('rejected');
    expect(stored).toMatchObject({ status: 'rejected', reason: 'evaluation gate: auc could not be computed: the holdout has no rows' });
    expect(stored.metrics.candidate).toEqual({});
  });
});
