import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage } from '../../../adapters/azure/storage';
import { InferenceCollector } from '../../../adapters/local/inference/inferenceCollector';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { startLocalProdEndpoint, type LocalProdEndpoint } from '../../support/localProdEndpoint';

const fixtures = join(__dirname, '../../fixtures/workspace/scoring');
const ENDPOINT = 'sampling-prod';

/**
 * A deployment spec's `data_collector.sampling_rate` is the share Azure ML's collector keeps;
 * the local router keeps the same share, so the drift monitors see the sample sizes they will
 * see on Azure. Both deployments serve one-row requests: one record per request collected.
 */
describe.each([false, true])('collection sampling (router in its own process: %s)', (ownProcess) => {
  let azurite: RunningAzurite | undefined;
  let endpoint: LocalProdEndpoint | undefined;

  beforeAll(async () => {
    azurite = await startAzurite();
    const collector = new InferenceCollector(createStorage({ connectionString: azurite.connectionString }).data, {
      flushIntervalMs: 3_600_000,
    });
    endpoint = await startLocalProdEndpoint({
      tmpPrefix: 'collection-sampling-',
      host: { ownProcess, collector },
      model: { name: 'sampling', json: JSON.stringify({ tag: 'v1', label: 1 }) },
      endpoint: ENDPOINT,
      deployments: {
        all: join(fixtures, 'deployment.yaml'),
        sampled: join(fixtures, 'deployment-sampled.yaml'),
        uncollected: join(fixtures, 'deployment-uncollected.yaml'),
      },
    });
  }, 60_000);

  afterAll(async () => {
    await endpoint?.stop();
    await azurite?.stop();
  });

  /** Sends one-row requests to a deployment; answers how many records were collected meanwhile. */
  const collectedFrom = async (deployment: string, requests: number): Promise<number> => {
    const { host } = endpoint!;
    const before = (await host.collectionStats())?.byEndpoint[ENDPOINT]?.collected ?? 0;
    for (let i = 0; i < requests; i++) {
      const response = await fetch(host.scoringUri(ENDPOINT), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'azureml-model-deployment': deployment },
        body: JSON.stringify({ data: [{ age: 30 + (i % 40), plan: 'gold' }] }),
      });
      await response.arrayBuffer();
      expect(response.status).toBe(200);
    }
    return ((await host.collectionStats())?.byEndpoint[ENDPOINT]?.collected ?? 0) - before;
  };

  it("collects every request of a deployment without a rate, and about its sampling_rate's share of one with", async () => {
    expect(await collectedFrom('all', 400)).toBe(400);
    // Binomial(400, 0.25): mean 100, sd 8.7; 50..150 is ±5.8 sd, a false failure about once in 10^8 runs.
    const sampled = await collectedFrom('sampled', 400);
    expect(sampled).toBeGreaterThan(50);
    expect(sampled).toBeLessThan(150);
  });

  it('collects none of a deployment whose data_collector turns every collection off, and still serves it', async () => {
    expect(await collectedFrom('uncollected', 100)).toBe(0);
  });
});

describe('an edited sampling_rate, redeployed', () => {
  let endpoint: LocalProdEndpoint | undefined;
  let specDir: string | undefined;

  afterAll(async () => {
    await endpoint?.stop();
    if (specDir) rmSync(specDir, { recursive: true, force: true });
  });

  it('takes effect on the redeploy of the same spec file, as `az ml online-deployment update -f` does', async () => {
    specDir = mkdtempSync(join(tmpdir(), 'sampling-spec-'));
    cpSync(fixtures, specDir, { recursive: true });
    const spec = join(specDir, 'deployment-sampled.yaml');
    endpoint = await startLocalProdEndpoint({
      tmpPrefix: 'sampling-redeploy-',
      model: { name: 'resampled', json: JSON.stringify({ tag: 'v1', label: 1 }) },
      endpoint: 'resampled-prod',
      deployments: { sampled: spec },
    });
    const rate = () => endpoint!.host.routingOf('resampled-prod')?.deployments['sampled']?.collectionSamplingRate;
    expect(rate()).toBe(0.25);
    const redeploy = () =>
      endpoint!.prod.endpoints.deploy({
        endpoint: 'resampled-prod',
        deployment: 'sampled',
        model: { name: 'resampled', version: 1 },
        specPath: spec,
      });
    const { pid } = await redeploy(); // unchanged: the running server stays
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('sampling_rate: 0.25', 'sampling_rate: 0.75'));
    await redeploy();
    expect(rate()).toBe(0.75);
    expect(pid).toEqual(expect.any(Number));
    expect(pid).toBe(endpoint.deployed[0]!.pid);
  });
});
