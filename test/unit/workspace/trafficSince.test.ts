import { BadRequestError } from '../../../shared/errors';
import { aggregateTraffic, predictionKey } from '../../../adapters/local/inference/aggregateTraffic';
import { ObservationRing, type Observation } from '../../../adapters/local/inference/observationRing';
import { TrafficStore } from '../../../adapters/local/inference/trafficStore';

const observation = (overrides: Partial<Observation> = {}): Observation => ({
  at: 1,
  latencyMs: 10,
  status: 200,
  synthetic: false,
  mirrored: false,
  ...overrides,
});

describe('aggregateTraffic', () => {
  it('counts requests, errors, slow requests per threshold, synthetic requests and latency percentiles', () => {
    const traffic = aggregateTraffic(
      [
        observation({ latencyMs: 5, firstPrediction: '1' }),
        observation({ latencyMs: 50, firstPrediction: '1', synthetic: true }),
        observation({ latencyMs: 150, status: 504 }),
        observation({ latencyMs: 2, status: 502 }),
        observation({ latencyMs: 20, status: 500 }),
      ],
      [10, 100],
    );
    expect(traffic).toEqual({
      requests: 5,
      errors: 3,
      slowerThan: [3, 1],
      predictions: { '1': 2 },
      synthetic: 1,
      latencyP50Ms: 20,
      latencyP99Ms: 150,
    });
  });

  it('counts the first prediction of successful answers only', () => {
    const traffic = aggregateTraffic(
      [
        observation({ firstPrediction: 'cat' }),
        observation({ firstPrediction: 'dog' }),
        observation({ firstPrediction: 'cat' }),
        observation({ status: 400, firstPrediction: 'dog' }),
        observation({ firstPrediction: undefined }),
      ],
      [],
    );
    expect(traffic.predictions).toEqual({ cat: 2, dog: 1 });
    expect(traffic.slowerThan).toEqual([]);
  });

  it('counts a 200 answer without predictions (malformed output) as an error', () => {
    const traffic = aggregateTraffic([observation({ firstPrediction: 'cat' }), observation({ malformed: true })], []);
    expect(traffic).toMatchObject({ requests: 2, errors: 1, predictions: { cat: 1 } });
  });

  it('reports no percentiles for a window without requests', () => {
    expect(aggregateTraffic([], [100])).toEqual({ requests: 0, errors: 0, slowerThan: [0], predictions: {}, synthetic: 0 });
  });
});

describe('predictionKey', () => {
  it('keys primitives by their text and anything else by its JSON, cut at 64 characters', () => {
    expect(predictionKey(1)).toBe('1');
    expect(predictionKey('cat')).toBe('cat');
    expect(predictionKey(true)).toBe('true');
    expect(predictionKey(null)).toBe('null');
    expect(predictionKey([0.2, 0.8])).toBe('[0.2,0.8]');
    expect(predictionKey('x'.repeat(100))).toHaveLength(64);
  });
});

describe('ObservationRing', () => {
  it('keeps the newest observations up to its capacity, in order', () => {
    const ring = new ObservationRing(300);
    for (let at = 1; at <= 1000; at++)
      ring.push(at, observation({ at, latencyMs: at, synthetic: at % 2 === 0, firstPrediction: String(at % 3) }));
    expect(ring.size).toBe(300);
    expect(ring.newest(0)).toEqual({
      at: 1000,
      latencyMs: 1000,
      status: 200,
      synthetic: true,
      mirrored: false,
      malformed: false,
      firstPrediction: '1',
    });
    expect(ring.newest(299).at).toBe(701);
    expect(ring.between(990, 995).map((o) => o.at)).toEqual([991, 992, 993, 994]);
  });
});

describe('TrafficStore.window', () => {
  let clock = 0;
  const store = () => new TrafficStore({ now: () => clock });
  const record = (s: TrafficStore, deployment: string, overrides: Partial<Observation> = {}) =>
    s.record('e', deployment, { latencyMs: 10, status: 200, synthetic: false, mirrored: false, ...overrides });
  const count = (window: ReturnType<TrafficStore['window']>) => Object.values(window.byDeployment).reduce((sum, o) => sum + o.length, 0);

  beforeEach(() => (clock = 1_000));

  it('pages through observations without counting one twice or missing one, even within one millisecond', () => {
    const s = store();
    let since = 0;
    let seen = 0;
    for (let step = 0; step < 50; step++) {
      // Several requests per millisecond, and windows asked for in the middle of a millisecond.
      record(s, step % 2 ? 'blue' : 'green');
      record(s, 'blue');
      if (step % 3 === 0) clock++;
      const window = s.window('e', since);
      expect(window.until).toBeGreaterThanOrEqual(since);
      seen += count(window);
      since = window.until;
    }
    clock++;
    seen += count(s.window('e', since));
    expect(seen).toBe(100);
  });

  it('holds back observations of the current millisecond until it has passed', () => {
    const s = store();
    record(s, 'blue');
    const now = s.window('e', 0);
    expect(now).toEqual({ until: 0, byDeployment: { blue: [] } });
    clock++;
    const later = s.window('e', 0);
    expect(later.until).toBe(1_000);
    expect(later.byDeployment['blue']).toHaveLength(1);
  });

  it('keeps time moving forward when the wall clock steps back', () => {
    const s = store();
    record(s, 'blue');
    clock = 2_000;
    const first = s.window('e', 0);
    clock = 500;
    record(s, 'blue');
    clock = 600;
    expect(s.window('e', first.until).byDeployment['blue']).toHaveLength(0);
    clock = 2_001;
    expect(s.window('e', first.until).byDeployment['blue']).toHaveLength(1);
  });

  it('leaves mirrored copies out of a deployment traffic', () => {
    const s = store();
    record(s, 'blue', { mirrored: true });
    record(s, 'blue', { synthetic: true });
    clock++;
    const window = s.window('e', 0);
    expect(window.byDeployment['blue']).toHaveLength(1);
    expect(window.byDeployment['blue']![0]!.synthetic).toBe(true);
  });
});

describe('TrafficStore.trafficSince', () => {
  it('aggregates per deployment, lists idle current deployments with zero counts and returns until as ISO time', () => {
    let clock = Date.parse('2025-01-01T00:00:00.000Z');
    const store = new TrafficStore({ now: () => clock });
    store.record('e', 'blue', { latencyMs: 200, status: 200, synthetic: true, mirrored: false, firstPrediction: '1' });
    clock += 5;
    const window = store.trafficSince('e', '2024-12-31T23:59:59Z', [100], ['blue', 'green']);
    expect(window).toEqual({
      since: '2024-12-31T23:59:59Z',
      until: '2025-01-01T00:00:00.000Z',
      byDeployment: {
        blue: { requests: 1, errors: 0, slowerThan: [1], predictions: { '1': 1 }, synthetic: 1, latencyP50Ms: 200, latencyP99Ms: 200 },
        green: { requests: 0, errors: 0, slowerThan: [0], predictions: {}, synthetic: 0 },
      },
    });
    expect(store.trafficSince('e', window.until, [100]).until).toBe(window.until);
  });

  it('refuses a since that is not an ISO time and negative thresholds', () => {
    const store = new TrafficStore();
    expect(() => store.trafficSince('e', 'yesterday', [])).toThrow(/since must be an ISO time, got "yesterday"/);
    expect(() => store.trafficSince('e', new Date().toISOString(), [-1])).toThrow(BadRequestError);
  });
});
