import { join } from 'node:path';
import { createStorage } from '../../../adapters/azure/storage';
import { InferenceCollector } from '../../../adapters/local/inference/inferenceCollector';
import type { LocalEndpointHost, LocalMlWorkspace } from '../../../adapters/local/workspace';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { startLocalProdEndpoint, type LocalProdEndpoint } from '../../support/localProdEndpoint';
import { waitFor } from '../../support/waitFor';

const spec = join(__dirname, '../../fixtures/workspace/scoring/deployment.yaml');

/**
 * The host holds the live requests its router hands back while the CPUs are busy, and collects
 * them once they are idle, or at once when asked for counts. The CPUs here are what the test says.
 */
describe('inference collection waits for idle CPUs', () => {
  let azurite: RunningAzurite;
  let endpoint: LocalProdEndpoint | undefined;
  let host: LocalEndpointHost;
  let prod: LocalMlWorkspace;
  let collector: InferenceCollector;
  const cpus = { idleShare: 0, looks: 0 };

  const score = async (rows: number) => {
    const response = await fetch(host.scoringUri('cw-prod'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: Array.from({ length: rows }, (_, i) => ({ age: 30 + i, plan: 'gold' })) }),
    });
    await response.arrayBuffer();
    expect(response.status).toBe(200);
  };
  /** What the collector has built records from, without the flush host.collectionStats() does first. */
  const collectedNow = () => collector.stats().total.collected;

  beforeAll(async () => {
    azurite = await startAzurite();
    collector = new InferenceCollector(createStorage({ connectionString: azurite.connectionString }).data, { flushIntervalMs: 3_600_000 });
    const probe = () => {
      cpus.looks++;
      return cpus.idleShare;
    };
    endpoint = await startLocalProdEndpoint({
      tmpPrefix: 'collect-when-idle-',
      host: { ownProcess: true, collector, collectWhenIdle: { probe, probeIntervalMs: 20, maxHoldMs: 3_600_000 } },
      model: { name: 'cw', json: JSON.stringify({ tag: 'v1', label: 1 }) },
      endpoint: 'cw-prod',
      deployments: { blue: spec },
    });
    ({ host, prod } = endpoint);
    await prod.endpoints.setTraffic('cw-prod', { blue: 100 });
  }, 60_000);

  afterAll(async () => {
    await endpoint?.stop();
    await azurite?.stop();
  });

  it('holds answered requests while the CPUs are busy and collects them once they are idle', async () => {
    cpus.idleShare = 0;
    const before = collectedNow();
    await Promise.all([score(2), score(1), score(3)]);
    // The host looks at the CPUs only while it holds something: looks mean the requests arrived and wait.
    const looksAfterArrival = cpus.looks;
    await waitFor('the host to look at busy CPUs twice more', () => (cpus.looks >= looksAfterArrival + 3 ? true : undefined));
    expect(collectedNow()).toBe(before);
    cpus.idleShare = 1;
    await waitFor('the held rows to be collected', () => (collectedNow() === before + 6 ? true : undefined));
  });

  it('hands on what it holds when counts are asked for, however busy the CPUs are', async () => {
    cpus.idleShare = 0;
    const before = collectedNow();
    await score(4);
    const stats = await host.collectionStats();
    expect(stats?.byEndpoint['cw-prod']?.collected).toBe(before + 4);
    expect(collectedNow()).toBe(before + 4);
  });
});
