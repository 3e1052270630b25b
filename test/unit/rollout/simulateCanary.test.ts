import { mulberry32 } from '../../../shared/data/split';
import { sampleBinomial, samplePoisson, simulateCanary, summariseCanaries, type CanarySummary } from '../../../shared/rollout/simulate';

const measured: string[] = [];
afterAll(() => console.info(`Canary simulator, measured (5% vs 0.1% errors unless said):\n  ${measured.join('\n  ')}`));
const line = (label: string, s: CanarySummary) =>
  `${label}: rolled back ${(s.rolledBack * 100).toFixed(0)}%, promoted ${(s.promoted * 100).toFixed(0)}% of ${s.runs}; median ` +
  `${s.medianSecondsToDecision} s, ${s.medianRequestsToCanary} canary requests (${s.medianBadCanaryRequests} failed), ` +
  `${(s.medianShareServedByCanary * 100).toFixed(1)}% of all requests served by the canary`;

describe('simulateCanary', () => {
  it('gives the same release for the same seed and another for another seed', () => {
    const options = { rps: 100, stableErrorRate: 0.001, canaryErrorRate: 0.05, analysis: 'sequential' as const };
    expect(simulateCanary({ ...options, seed: 3 })).toEqual(simulateCanary({ ...options, seed: 3 }));
    expect(simulateCanary({ ...options, seed: 3 })).not.toEqual(simulateCanary({ ...options, seed: 4 }));
  });

  it('draws Poisson and binomial counts with the right mean and variance', () => {
    const rng = mulberry32(11);
    const draws = 4_000;
    const moments = (sample: () => number) => {
      const xs = Array.from({ length: draws }, sample);
      const mean = xs.reduce((a, b) => a + b, 0) / draws;
      return { mean, variance: xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (draws - 1) };
    };
    const poisson = moments(() => samplePoisson(rng, 700)); // crosses the 500 chunk
    expect(Math.abs(poisson.mean - 700)).toBeLessThan(3 * Math.sqrt(700 / draws));
    expect(poisson.variance / 700).toBeGreaterThan(0.9);
    expect(poisson.variance / 700).toBeLessThan(1.1);
    const binomial = moments(() => sampleBinomial(rng, 1_200, 0.7)); // p > 0.5 and two chunks
    expect(Math.abs(binomial.mean - 840)).toBeLessThan(3 * Math.sqrt(252 / draws));
    expect(binomial.variance / 252).toBeGreaterThan(0.9);
    expect(binomial.variance / 252).toBeLessThan(1.1);
  });

  it.each([10, 100])(
    'rolls back a 5%% error canary after 6 minutes with Flagger defaults and in a fraction of that with ours at %i requests/s',
    (rps) => {
      const flagger = summariseCanaries({ rps, stableErrorRate: 0.001, canaryErrorRate: 0.05, analysis: 'fixed-threshold' }, 100);
      const ours = summariseCanaries({ rps, stableErrorRate: 0.001, canaryErrorRate: 0.05, analysis: 'sequential' }, 100);
      measured.push(line(`fixed-threshold, ${rps} rps`, flagger), line(`sequential, ${rps} rps`, ours));
      expect(flagger.rolledBack).toBe(1);
      // One interval to shift weight, five failed one-minute checks, and the tick that acts on them.
      expect(flagger.medianSecondsToDecision).toBe(360);
      expect(ours.rolledBack).toBe(1);
      expect(ours.medianSecondsToDecision).toBeLessThanOrEqual(flagger.medianSecondsToDecision / (rps === 10 ? 2 : 10));
      expect(ours.medianBadCanaryRequests).toBeLessThanOrEqual(flagger.medianBadCanaryRequests / (rps === 10 ? 3 : 20));
    },
  );

  it('promotes a good canary under both analyses', () => {
    const good = { rps: 100, stableErrorRate: 0.001, canaryErrorRate: 0.001, seed: 900 };
    const flagger = summariseCanaries({ ...good, analysis: 'fixed-threshold' }, 40);
    const ours = summariseCanaries({ ...good, analysis: 'sequential' }, 40);
    measured.push(line('good canary, fixed-threshold, 100 rps', flagger), line('good canary, sequential, 100 rps', ours));
    expect(flagger.promoted).toBeGreaterThanOrEqual(0.9);
    expect(ours.promoted).toBeGreaterThanOrEqual(0.9);
    expect(flagger.medianSecondsToDecision).toBe(300);
    // At 10 requests/s the 5% step sees 0.5 canary requests/s: ruling out a 1% error rate takes about an hour.
    const slow = simulateCanary({ ...good, rps: 10, analysis: 'sequential', seed: 901 });
    measured.push(
      `good canary, sequential, 10 rps: ${slow.outcome} after ${slow.secondsToDecision} s, ${slow.requestsToCanary} canary requests`,
    );
    expect(slow.outcome).toBe('promoted');
  });
});
