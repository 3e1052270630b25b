import {
  createCanaryAnalysis,
  decideCanary,
  InvalidTrafficCountsError,
  updateCanaryAnalysis,
  type DeploymentCounts,
  type CanaryAnalysisState,
} from '../../../shared/rollout';
import { BadRequestError } from '../../../shared/errors';

const arm = (requests: number, errors = 0, slowerThan: number[] = [], predictions: Record<string, number> = {}): DeploymentCounts => ({
  requests,
  errors,
  slowerThan,
  predictions,
});

/** Feeds the same interval `times` times. */
function feed(state: CanaryAnalysisState, canary: DeploymentCounts, stable: DeploymentCounts, times: number): CanaryAnalysisState {
  for (let i = 0; i < times; i++) state = updateCanaryAnalysis(state, { canary, stable });
  return state;
}

describe('updateCanaryAnalysis input validation', () => {
  const state = createCanaryAnalysis();
  it.each([
    ['a negative request count', { canary: arm(-1), stable: arm(10) }, /canary\.requests = -1: negative/],
    ['a fractional error count', { canary: arm(10, 2.5), stable: arm(10) }, /canary\.errors = 2\.5: not a whole number/],
    ['more errors than requests', { canary: arm(10), stable: arm(10, 11) }, /stable\.errors = 11: exceeds stable\.requests \(10\)/],
    [
      'a NaN latency count',
      { canary: arm(10, 0, [3, Number.NaN]), stable: arm(10, 0, [3, 1]) },
      /canary\.slowerThan\[1\] = NaN: not a whole number/,
    ],
    ['latency counted against different thresholds per arm', { canary: arm(10, 0, [3]), stable: arm(10, 0, [3, 1]) }, /same thresholds/],
    [
      'more predictions than requests',
      { canary: arm(10, 0, [], { a: 6, b: 5 }), stable: arm(10) },
      /canary\.predictions = 11: counts sum to more than canary\.requests/,
    ],
    ['a negative class count', { canary: arm(10, 0, [], { a: -1 }), stable: arm(10) }, /canary\.predictions\["a"\] = -1: negative/],
  ])('refuses %s with a message naming the count', (_name, interval, message) => {
    const act = () => updateCanaryAnalysis(state, interval as never);
    expect(act).toThrow(InvalidTrafficCountsError);
    expect(act).toThrow(message);
    expect(act).toThrow(/fix the traffic aggregation/);
  });

  it('refuses options it cannot honour', () => {
    expect(() => createCanaryAnalysis({ alpha: 0 })).toThrow(BadRequestError);
    expect(() => createCanaryAnalysis({ riskGrid: [0.5, 2] })).toThrow(/riskGrid: needs finite relative risks above 1/);
    expect(() => createCanaryAnalysis({ minDetectable: { errors: { risk: 1 } } })).toThrow(/minDetectable\.errors: risk must be above 1/);
  });
});

describe('canary analysis state', () => {
  it("survives a JSON round trip between looks and does not change the caller's state", () => {
    const before = createCanaryAnalysis({ classes: ['no', 'yes'] });
    const frozen = JSON.stringify(before);
    let state = updateCanaryAnalysis(before, {
      canary: arm(50, 1, [20, 1], { no: 30, yes: 19 }),
      stable: arm(950, 2, [470, 9], { no: 660, yes: 288 }),
    });
    expect(JSON.stringify(before)).toBe(frozen);
    state = JSON.parse(JSON.stringify(state));
    const direct = updateCanaryAnalysis(state, {
      canary: arm(50, 0, [25, 0], { no: 35, yes: 15 }),
      stable: arm(950, 1, [480, 10], { no: 665, yes: 284 }),
    });
    expect(decideCanary(JSON.parse(JSON.stringify(direct)))).toEqual(decideCanary(direct));
  });

  it('learns nothing from intervals without bad events or without traffic on one arm', () => {
    const start = createCanaryAnalysis();
    const quiet = feed(start, arm(100), arm(900), 20);
    const oneSided = feed(start, arm(100, 60), arm(0), 20);
    for (const state of [quiet, oneSided]) {
      expect(decideCanary(state).evidence.find((e) => e.metric === 'errors')!.logLR).toBeCloseTo(0, 12);
    }
    expect(decideCanary(oneSided).verdict).toBe('continue');
  });

  it('adds classes seen later with a smaller share of alpha, and caps their number', () => {
    let state = createCanaryAnalysis({ classes: ['a'], maxClasses: 3 });
    state = updateCanaryAnalysis(state, { canary: arm(10, 0, [], { a: 5, b: 5 }), stable: arm(10, 0, [], { a: 5, c: 1, d: 1, e: 1 }) });
    const ids = state.metrics.map((m) => m.id);
    expect(ids).toEqual(['errors', 'latencyP50', 'latencyP99', 'class:a', 'class:b', 'class:c']);
    const alphas = state.metrics.map((m) => m.alpha);
    expect(alphas.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(0.01);
    expect(state.ignoredClasses).toEqual(['d', 'e']);
    expect(decideCanary(state).reasons.at(-1)).toMatch(/'d', 'e' and later classes are not analysed \(more than 3 classes/);
  });
});

describe('decideCanary', () => {
  it('rolls back a canary with errors against a stable without any after a handful of errors when its share is small', () => {
    // w = 0.05: under equal rates each error lands on the canary with probability 0.05,
    // so four errors in a row there have probability 6e-6: strong evidence.
    let state = createCanaryAnalysis();
    let errors = 0;
    while (decideCanary(state).verdict !== 'rollback') {
      state = updateCanaryAnalysis(state, { canary: arm(10, 1), stable: arm(190) });
      errors += 1;
    }
    expect(errors).toBeLessThanOrEqual(5);
    const decision = decideCanary(state);
    expect(decision.reasons[0]).toBe(
      `Error rate 10% on canary vs 0% on stable (n=${errors * 10} vs ${(errors * 190).toLocaleString('en-US')}): ` +
        "sequential test rejected at α=0.0025; roll the canary back and compare its error rate with the stable's.",
    );
  });

  it('needs more errors to reject when the canary takes half the traffic', () => {
    let state = createCanaryAnalysis();
    let errors = 0;
    while (decideCanary(state).verdict !== 'rollback') {
      state = updateCanaryAnalysis(state, { canary: arm(100, 1), stable: arm(100) });
      errors += 1;
    }
    // Each error on the canary multiplies LR(r) by 2r/(r+1) < 2: the mixture over the grid
    // crosses 1/α = 400 at the 11th, a fair coin landing the same side 11 times (p = 0.0005).
    expect(errors).toBe(11);
  });

  it('explains what evidence is missing while it waits', () => {
    const state = feed(
      createCanaryAnalysis({ classes: ['0', '1'] }),
      arm(20, 0, [10, 0], { '0': 14, '1': 6 }),
      arm(380, 0, [190, 4], { '0': 266, '1': 114 }),
      3,
    );
    const decision = decideCanary(state);
    expect(decision.verdict).toBe('continue');
    expect(decision.evidenceSufficient).toBe(false);
    expect(decision.reasons[0]).toMatch(
      /^Error rate: not enough evidence yet to rule out 3× the stable's rate \(at least 1%\): power [\d.]+% of 95% needed; needs about [\d,]+ more canary requests at this split\.$/,
    );
    expect(decision.evidence.map((e) => e.metric)).toEqual(['errors', 'latencyP50', 'latencyP99', 'class:0', 'class:1']);
  });

  it('names the class a shifted canary predicts too often', () => {
    const state = feed(
      createCanaryAnalysis({ classes: ['0', '1'] }),
      arm(100, 0, [], { '0': 40, '1': 60 }),
      arm(900, 0, [], { '0': 630, '1': 270 }),
      5,
    );
    const decision = decideCanary(state);
    expect(decision.verdict).toBe('rollback');
    expect(decision.reasons).toContain(
      "Share of predictions of class '1' 60% on canary vs 30% on stable (n=500 vs 4,500 predictions) (predicted too often): " +
        "sequential test rejected at α=0.0017; roll the canary back and compare its share of predictions of class '1' with the stable's.",
    );
  });
});
