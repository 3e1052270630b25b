import { LATENCY_WINDOW } from '../../../adapters/local/inference/deploymentMetrics';
import { pickDeployment, pickMirrors } from '../../../adapters/local/inference/pickDeployment';
import { TrafficStore } from '../../../adapters/local/inference/trafficStore';

describe('pickDeployment', () => {
  it('splits by weight across the rng range', () => {
    const traffic = { blue: 90, green: 10 };
    expect(pickDeployment(traffic, () => 0)).toBe('blue');
    expect(pickDeployment(traffic, () => 0.899)).toBe('blue');
    expect(pickDeployment(traffic, () => 0.9)).toBe('green');
    expect(pickDeployment(traffic, () => 0.999999)).toBe('green');
  });

  it('never picks a deployment at 0 percent', () => {
    for (const r of [0, 0.3, 0.6, 0.99]) expect(pickDeployment({ zero: 0, blue: 100 }, () => r)).toBe('blue');
  });

  it('picks nothing when no deployment receives traffic', () => {
    expect(pickDeployment({}, () => 0.5)).toBeUndefined();
    expect(pickDeployment({ blue: 0 }, () => 0.5)).toBeUndefined();
  });
});

describe('pickMirrors', () => {
  it('mirrors to each deployment with its own percentage, never to the chosen one', () => {
    expect(pickMirrors({ shadow: 20 }, 'blue', () => 0.19)).toEqual(['shadow']);
    expect(pickMirrors({ shadow: 20 }, 'blue', () => 0.2)).toEqual([]);
    expect(pickMirrors({ blue: 50 }, 'blue', () => 0)).toEqual([]);
  });
});

describe('TrafficStore.metrics', () => {
  const answer = (status: number, latencyMs: number, mirrored = false) => ({ status, latencyMs, synthetic: false, mirrored });

  it('counts requests, 5xx errors, mirrored copies and statuses per deployment', () => {
    const store = new TrafficStore();
    store.record('e', 'blue', answer(200, 10));
    store.record('e', 'blue', answer(502, 1));
    store.record('e', 'blue', answer(200, 30, true));
    store.record('e', 'green', answer(504, 300));
    expect(store.metrics('e')).toMatchObject({
      blue: { requests: 3, errors: 1, mirrored: 1, statuses: { 200: 2, 502: 1 } },
      green: { requests: 1, errors: 1, mirrored: 0, statuses: { 504: 1 } },
    });
    expect(store.metrics('other')).toEqual({});
  });

  it('reports latency percentiles over the most recent requests only, and all-time counts beyond the ring', () => {
    const store = new TrafficStore({ capacity: LATENCY_WINDOW * 2 });
    expect(store.metrics('e')).toEqual({});
    for (let i = 0; i < LATENCY_WINDOW * 3; i++) store.record('e', 'blue', answer(200, 1000));
    for (let i = 1; i <= LATENCY_WINDOW; i++) store.record('e', 'blue', answer(200, i));
    const blue = store.metrics('e')['blue']!;
    expect(blue.requests).toBe(LATENCY_WINDOW * 4);
    expect(blue.latencyMs).toEqual({ samples: LATENCY_WINDOW, p50: LATENCY_WINDOW / 2, p99: Math.ceil(0.99 * LATENCY_WINDOW) });
  });
});
