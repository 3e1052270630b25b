import { canarySeries } from '../../../dashboard/src/charts/canarySeries';
import type { CanaryLook } from '../../../shared/release/types';

function look(at: string, metrics: [id: string, statistic: number, boundary: number][]): CanaryLook {
  return {
    at,
    since: at,
    stepIndex: 0,
    weight: 10,
    verdict: 'continue',
    canary: { requests: 10, errors: 0 },
    stable: { requests: 90, errors: 1 },
    metrics: metrics.map(([id, statistic, boundary]) => ({ id, statistic, boundary, rejected: statistic >= boundary, sufficient: false })),
  };
}

describe('canarySeries', () => {
  it('draws one line per metric and one boundary line for the metrics sharing it, x in seconds', () => {
    const series = canarySeries([
      look('2026-01-01T00:00:00.000Z', [
        ['errors', 0.1, 4.6],
        ['latencyP99', -0.2, 4.6],
      ]),
      look('2026-01-01T00:00:02.000Z', [
        ['errors', 0.5, 4.6],
        ['latencyP99', 0.3, 4.6],
      ]),
    ]);
    expect(series.labels).toEqual([
      { label: 'errors', boundary: false },
      { label: 'latencyP99', boundary: false },
      { label: 'boundary (errors, latencyP99)', boundary: true },
    ]);
    expect(series.data).toEqual([
      [1767225600, 1767225602],
      [0.1, 0.5],
      [-0.2, 0.3],
      [4.6, 4.6],
    ]);
    expect(series.key).toBe('errors|latencyP99|boundary (errors, latencyP99)');
  });

  it('draws a boundary line per distinct boundary, and leaves a gap where a look lacks a metric', () => {
    const series = canarySeries([
      look('2026-01-01T00:00:00.000Z', [['errors', 0.1, 5.3]]),
      look('2026-01-01T00:00:02.000Z', [
        ['errors', 0.2, 5.3],
        ['latencyP99', 0.4, 5.3],
        ['class:1', 1.5, 6],
      ]),
    ]);
    expect(series.labels.map((l) => l.label)).toEqual([
      'errors',
      'latencyP99',
      'class:1',
      'boundary (errors, latencyP99)',
      'boundary (class:1)',
    ]);
    expect(series.data.slice(1)).toEqual([
      [0.1, 0.2],
      [null, 0.4],
      [null, 1.5],
      [5.3, 5.3],
      [null, 6],
    ]);
  });

  it('has no lines before the first look', () => {
    expect(canarySeries([])).toEqual({ key: '', labels: [], data: [[]] });
  });
});
