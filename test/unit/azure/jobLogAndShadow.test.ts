import { jobLogText } from '../../../adapters/azure/workspace/jobLogText';
import { shadowFromMetrics } from '../../../adapters/azure/workspace/shadowFromMetrics';

const WS = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws-dev';
const JOB = { name: 'train-r7', status: 'failed' as const, createdAt: '2026-11-28T12:00:00.000Z', metrics: {}, outputs: {}, tags: {} };

describe('Azure job log text', () => {
  test('names the status, the error and the Studio page that holds the full logs', () => {
    const text = jobLogText(JOB, 'ModuleNotFoundError: No module named sklearn', WS);
    expect(text.split('\n')).toEqual([
      'job train-r7: failed',
      'error: ModuleNotFoundError: No module named sklearn',
      `full logs are in Azure ML Studio (Outputs + logs): https://ml.azure.com/runs/train-r7?wsid=${WS}`,
      '',
    ]);
  });

  test('keeps the last maxBytes, so the Studio link survives a short limit', () => {
    const text = jobLogText(JOB, 'x'.repeat(500), WS, 200);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(200);
    expect(text).toContain('https://ml.azure.com/runs/train-r7');
  });
});

describe('Azure shadow report from metrics', () => {
  test('counts the mirrored deployment requests and 5xx against the live deployments 5xx, never claiming comparisons', () => {
    const traffic = (requests: number, errors: number) => ({ requests, errors, slowerThan: [], predictions: {}, synthetic: 0 });
    const report = shadowFromMetrics(
      { since: 'a', until: 'b', byDeployment: { blue: traffic(900, 4), green: traffic(90, 7), red: traffic(10, 1) } },
      'green',
    );
    expect(report).toEqual({ mirrored: 90, compared: 0, agreed: 0, shadowErrors: 7, liveErrors: 5 });
  });
});
