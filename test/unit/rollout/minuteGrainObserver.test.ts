import type { DeploymentCounts, CanaryInterval } from '../../../shared/rollout';
import {
  minuteGrainObserver,
  perRequestCounts,
  simulateCanary,
  summariseCanaries,
  type ObserveTraffic,
} from '../../../shared/rollout/simulate';

const arm = (requests: number, errors = 0, classOne = 0): DeploymentCounts => ({
  requests,
  errors,
  slowerThan: [Math.floor(requests / 2), 0],
  predictions: { '0': requests - errors - classOne, '1': classOne },
});
const interval = (canary: number, stable: number, canaryErrors = 0): CanaryInterval => ({
  canary: arm(canary, canaryErrors),
  stable: arm(stable),
});

/** Feeds `looks` intervals of `dt` seconds (the i-th from `serve(i)`) and returns what each look saw, by look time. */
function drive(observe: ObserveTraffic, looks: number, dt: number, serve: (i: number) => CanaryInterval): Map<number, CanaryInterval> {
  const seen = new Map<number, CanaryInterval>();
  for (let i = 0; i < looks; i++) seen.set((i + 1) * dt, observe(serve(i), i * dt, (i + 1) * dt));
  return seen;
}
const requestsSeen = (seen: Map<number, CanaryInterval>) => [...seen].filter(([, s]) => s.canary.requests + s.stable.requests > 0);

const badCanary = { stableErrorRate: 0.001, canaryErrorRate: 0.05, analysis: 'sequential' as const };

describe('minuteGrainObserver (what the Azure backend reads from Monitor)', () => {
  it('shows each minute whole, once, at the first look after Monitor has published it', () => {
    const seen = drive(minuteGrainObserver(60)(), 48, 5, () => interval(1, 19));
    // Minute 0 ends at 60 s and is published at 120 s; minute 1 at 180 s.
    expect(requestsSeen(seen).map(([t]) => t)).toEqual([120, 180, 240]);
    expect(seen.get(120)!.canary.requests).toBe(12);
    expect(seen.get(120)!.stable.requests).toBe(12 * 19);
    expect(seen.get(115)).toEqual({
      canary: { requests: 0, errors: 0, slowerThan: [0, 0], predictions: {} },
      stable: { requests: 0, errors: 0, slowerThan: [0, 0], predictions: {} },
    });
  });

  it('sums every count of a minute: requests, errors, latency exceedances and each class', () => {
    const observe = minuteGrainObserver(0)();
    observe({ canary: arm(10, 2, 3), stable: arm(30, 0, 9) }, 0, 30);
    const minute = observe({ canary: arm(6, 1, 1), stable: arm(20, 1, 5) }, 30, 60);
    expect(minute.canary).toEqual({ requests: 16, errors: 3, slowerThan: [8, 0], predictions: { '0': 9, '1': 4 } });
    expect(minute.stable).toEqual({ requests: 50, errors: 1, slowerThan: [25, 0], predictions: { '0': 35, '1': 14 } });
  });

  it('neither loses nor double counts a request, whatever the delay, and never shows one before its minute is published', () => {
    const delay = 37;
    const served = (i: number) => interval(i % 7, (i * 13) % 29, i % 7 > 3 ? 1 : 0);
    const seen = drive(minuteGrainObserver(delay)(), 360, 5, served); // 30 minutes
    const total = (pick: (s: CanaryInterval) => number, values: Iterable<CanaryInterval>) =>
      [...values].reduce((sum, s) => sum + pick(s), 0);
    // Minutes published by 1800 s: those ending at or before 1800 - 37 s, i.e. minutes 0-28 (intervals 0-347).
    const publishedIntervals = Array.from({ length: 348 }, (_, i) => served(i));
    for (const pick of [
      (s: CanaryInterval) => s.canary.requests,
      (s: CanaryInterval) => s.stable.requests,
      (s: CanaryInterval) => s.canary.errors,
    ]) {
      expect(total(pick, seen.values())).toBe(total(pick, publishedIntervals));
    }
    for (const [t] of requestsSeen(seen)) {
      expect(t).toBeGreaterThanOrEqual(60 + delay);
      expect((t - delay) % 60).toBeLessThan(5); // the first look after a minute's publication
    }
  });

  it('counts a look interval that straddles a minute boundary in the later minute, never early', () => {
    const observe = minuteGrainObserver(0)();
    observe(interval(5, 5), 0, 56);
    const atBoundary = observe(interval(7, 7), 56, 63); // ends in minute 1
    expect(atBoundary.canary.requests).toBe(5);
    expect(observe(interval(0, 0), 63, 120).canary.requests).toBe(7);
  });

  it('sees no traffic when it reads minutes as they end, before Monitor has published them (no wait for publication)', () => {
    const seen = drive(minuteGrainObserver(10, { waitsForPublication: false })(), 120, 5, () => interval(3, 50, 1));
    expect(requestsSeen(seen)).toEqual([]);
    // With no delay there is nothing to wait for: the same as waiting.
    const now = drive(minuteGrainObserver(0, { waitsForPublication: false })(), 120, 5, () => interval(3, 50, 1));
    expect(now).toEqual(drive(minuteGrainObserver(0)(), 120, 5, () => interval(3, 50, 1)));
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a publication delay of %p', (delay) => {
    expect(() => minuteGrainObserver(delay)).toThrow(/delaySeconds must be a finite number >= 0/);
  });
});

describe('simulateCanary with an observation', () => {
  it('serves the same release with per-request counts as without an observation', () => {
    const options = { ...badCanary, rps: 100, seed: 5 };
    expect(simulateCanary({ ...options, observation: perRequestCounts })).toEqual(simulateCanary(options));
  });

  it('rolls a bad canary back on Monitor minutes only at a look where a minute was published, later and after more failures', () => {
    const perRequest = summariseCanaries({ ...badCanary, rps: 100, seed: 1 }, 30);
    const minutes = summariseCanaries({ ...badCanary, rps: 100, seed: 1, observation: minuteGrainObserver(60) }, 30);
    expect(minutes.rolledBack).toBe(1);
    for (let seed = 1; seed <= 10; seed++) {
      const run = simulateCanary({ ...badCanary, rps: 100, seed, observation: minuteGrainObserver(60) });
      expect(run.secondsToDecision).toBeGreaterThanOrEqual(120);
      expect(run.secondsToDecision % 60).toBe(0);
    }
    expect(minutes.medianSecondsToDecision).toBeGreaterThan(perRequest.medianSecondsToDecision);
    expect(minutes.medianBadCanaryRequests).toBeGreaterThan(perRequest.medianBadCanaryRequests);
  });
});
