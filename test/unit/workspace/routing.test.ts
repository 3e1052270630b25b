import { DeploymentMetricsRecorder, LATENCY_WINDOW } from '../../../adapters/local/inference/deploymentMetrics';
import { pickDeployment, pickMirrors } from '../../../adapters/local/inference/pickDeployment';

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

describe('DeploymentMetricsRecorder', () => {
  it('counts requests, 5xx errors, mirrored copies and statuses', () => {
    const recorder = new DeploymentMetricsRecorder();
    recorder.record(200, 10, false);
    recorder.record(502, 1, false);
    recorder.record(200, 30, true);
    expect(recorder.snapshot()).toMatchObject({ requests: 3, errors: 1, mirrored: 1, statuses: { 200: 2, 502: 1 } });
  });

  it('reports latency percentiles over the most recent requests only', () => {
    const recorder = new DeploymentMetricsRecorder();
    expect(recorder.snapshot().latencyMs).toEqual({ samples: 0 });
    for (let i = 0; i < LATENCY_WINDOW; i++) recorder.record(200, 1000, false);
    for (let i = 1; i <= LATENCY_WINDOW; i++) recorder.record(200, i, false);
    const { latencyMs } = recorder.snapshot();
    expect(latencyMs.samples).toBe(LATENCY_WINDOW);
    expect(latencyMs.p50).toBe(LATENCY_WINDOW / 2);
    expect(latencyMs.p99).toBe(Math.ceil(0.99 * LATENCY_WINDOW));
  });
});
