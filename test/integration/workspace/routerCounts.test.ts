import { join } from 'node:path';
import type { ScoreRequest, TrafficWindow } from '../../../shared/ports';
import type { LocalEndpointHost, LocalMlWorkspace } from '../../../adapters/local/workspace';
import { startLocalProdEndpoint, type LocalProdEndpoint } from '../../support/localProdEndpoint';
import { waitFor } from '../../support/waitFor';

const fixtures = join(__dirname, '../../fixtures/workspace/scoring');
const oneRow = JSON.stringify({ input_data: { columns: ['x'], data: [[1]] } } satisfies ScoreRequest);
const REQUESTS = 240;
const IN_FLIGHT = 16;

const total = (window: TrafficWindow) => Object.values(window.byDeployment).reduce((sum, t) => sum + t.requests, 0);

/**
 * The canary decides on the router's per-deployment counts, so they must equal what callers
 * were sent and answered, request for request, also with many requests in flight at once.
 */
describe('endpoint router: exact traffic counts under concurrency', () => {
  let stack: LocalProdEndpoint;
  let host: LocalEndpointHost;
  let prod: LocalMlWorkspace;

  beforeAll(async () => {
    stack = await startLocalProdEndpoint({
      tmpPrefix: 'router-counts-',
      host: { ownProcess: true },
      model: { name: 'rc' },
      endpoint: 'rc-prod',
      deployments: { good: join(fixtures, 'deployment-class-a.yaml'), flaky: join(fixtures, 'deployment-flaky.yaml') },
    });
    ({ host, prod } = stack);
    expect(stack.deployed.map((d) => d.state)).toEqual(['succeeded', 'succeeded']);
    await prod.endpoints.setTraffic('rc-prod', { good: 60, flaky: 40 });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it(`counts ${REQUESTS} requests sent ${IN_FLIGHT} at a time per deployment, errors included, as the callers saw them`, async () => {
    const since = new Date(0).toISOString();
    const seen: Record<string, { requests: number; errors: number }> = {};
    let sent = 0;
    const caller = async () => {
      while (sent < REQUESTS) {
        sent++;
        const response = await fetch(host.scoringUri('rc-prod'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: oneRow,
        });
        await response.arrayBuffer();
        const deployment = response.headers.get('azureml-model-deployment') ?? 'none';
        const counts = (seen[deployment] ??= { requests: 0, errors: 0 });
        counts.requests++;
        if (response.status >= 500) counts.errors++;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, caller));

    const window = await waitFor(`${REQUESTS} requests in the traffic window`, async () => {
      const w = await prod.traffic.trafficSince('rc-prod', since, []);
      return total(w) >= REQUESTS ? w : undefined;
    });
    // Both deployments served and the flaky one failed some: the comparison below is not vacuous.
    expect(Object.keys(seen).sort()).toEqual(['flaky', 'good']);
    expect(seen['flaky']!.errors).toBeGreaterThan(0);
    expect(total(window)).toBe(REQUESTS);
    const metrics = await host.metrics('rc-prod');
    for (const [deployment, counts] of Object.entries(seen)) {
      expect({ deployment, requests: window.byDeployment[deployment]?.requests, errors: window.byDeployment[deployment]?.errors }).toEqual({
        deployment,
        ...counts,
      });
      // The all-time counters (dashboards) agree with the window the canary reads.
      expect({ deployment, requests: metrics[deployment]?.requests, errors: metrics[deployment]?.errors }).toEqual({
        deployment,
        ...counts,
      });
    }
  }, 60_000);

  // Recording waits until the answer is written, but never past it: whoever got an answer
  // and asks next finds it counted, with no waiting.
  it('counts an answer before its caller can ask for the counts', async () => {
    const before = Object.values(await host.metrics('rc-prod')).reduce((sum, m) => sum + m.requests, 0);
    for (let i = 1; i <= 20; i++) {
      const response = await fetch(host.scoringUri('rc-prod'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: oneRow,
      });
      await response.arrayBuffer();
      expect(Object.values(await host.metrics('rc-prod')).reduce((sum, m) => sum + m.requests, 0)).toBe(before + i);
    }
  }, 60_000);
});
