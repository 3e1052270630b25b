import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage, type Storage } from '../../../adapters/azure/storage';
import { InferenceCollector } from '../../../adapters/local/inference/inferenceCollector';
import { LocalEndpointHost, localMlWorkspace, type LocalMlWorkspace } from '../../../adapters/local/workspace';
import { startAzurite, type RunningAzurite } from '../../../devhost/azurite';
import { INFERENCE_CONTAINER, type InferenceRecord } from '../../../shared/monitoring/inferenceRecord';
import { parseInferenceLines } from '../../../shared/monitoring/parseInferenceLines';
import { readInferenceRecords } from '../../../shared/monitoring/readInferenceRecords';
import { waitFor } from '../../support/waitFor';

const spec = join(__dirname, '../../fixtures/workspace/scoring/deployment.yaml');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Inference data collection through the local endpoint router into Blob Storage', () => {
  let azurite: RunningAzurite;
  let storage: Storage;
  let root: string;
  let host: LocalEndpointHost;
  const workspaces = {} as Record<'dev' | 'staging' | 'prod', LocalMlWorkspace>;
  const startedAt = new Date().toISOString();

  const score = async (endpoint: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(host.scoringUri(endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return {
      status: response.status,
      requestId: response.headers.get('x-request-id'),
      deployment: response.headers.get('azureml-model-deployment'),
    };
  };
  const collected = async (endpoint: string) => (await host.collectionStats())?.byEndpoint[endpoint]?.collected ?? 0;
  const waitCollected = (endpoint: string, count: number) =>
    waitFor(`${count} records of ${endpoint}`, async () => ((await collected(endpoint)) >= count ? true : undefined));
  /** Every blob of an endpoint, name → text. */
  const blobsOf = async (endpoint: string) => {
    const blobs = await storage.data.list(INFERENCE_CONTAINER, `${endpoint}/`);
    return Object.fromEntries(
      await Promise.all(blobs.map(async (b) => [b.name, (await storage.data.read(b)).content.toString('utf8')] as const)),
    );
  };
  const recordsOf = async (endpoint: string): Promise<InferenceRecord[]> =>
    Object.values(await blobsOf(endpoint)).flatMap((text) => parseInferenceLines(text).records);
  const modelFolder = (tag: string, label: number) => {
    const dir = join(root, 'models', tag);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ tag, label }));
    return dir;
  };

  beforeAll(async () => {
    azurite = await startAzurite();
    storage = createStorage({ connectionString: azurite.connectionString });
    root = mkdtempSync(join(tmpdir(), 'inference-collection-'));
    // Flushed explicitly (or by stop) so each test knows what is written when.
    const collector = new InferenceCollector(storage.data, { excludeColumns: ['SSN'], flushIntervalMs: 3_600_000 });
    host = new LocalEndpointHost({ port: 0, ownProcess: true, collector });
    await host.start();
    const fetchInput = async () => Buffer.alloc(0);
    for (const environment of ['dev', 'staging', 'prod'] as const) {
      const workspace = localMlWorkspace({ environment, rootDir: join(root, environment), endpointHost: host, fetchInput });
      await workspace.start();
      await workspace.models.registerModel({ name: 'fx', source: { path: modelFolder('v1', 1) }, idempotencyKey: 'v1' });
      await workspace.models.registerModel({ name: 'fx', source: { path: modelFolder('v2', 0) }, idempotencyKey: 'v2' });
      workspaces[environment] = workspace;
    }
    const { dev, staging, prod } = workspaces;
    await Promise.all([
      dev.endpoints.deploy({ endpoint: 'ic-dev', deployment: 'blue', model: { name: 'fx', version: 1 }, specPath: spec }),
      staging.endpoints.deploy({ endpoint: 'ic-staging', deployment: 'blue', model: { name: 'fx', version: 1 }, specPath: spec }),
      prod.endpoints.deploy({ endpoint: 'ic-prod', deployment: 'blue', model: { name: 'fx', version: 2 }, specPath: spec }),
      prod.endpoints.deploy({ endpoint: 'ic-prod', deployment: 'green', model: { name: 'fx', version: 1 }, specPath: spec }),
    ]);
    await dev.endpoints.setTraffic('ic-dev', { blue: 100 });
    await staging.endpoints.setTraffic('ic-staging', { blue: 100 });
    await prod.endpoints.setTraffic('ic-prod', { blue: 100, green: 0 });
  });

  afterAll(async () => {
    await Promise.all(Object.values(workspaces).map((w) => w.stop()));
    await host?.stop();
    await azurite?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('stores each live prod row with its request id, deployment, model, prediction and probabilities, partitioned by hour, without excluded columns', async () => {
    const withId = await score(
      'ic-prod',
      {
        input_data: {
          columns: ['age', 'ssn', 'plan'],
          data: [
            [41, '123-45-6789', 'gold'],
            [29, '987-65-4321', 'free'],
          ],
        },
      },
      { 'x-request-id': 'client-42' },
    );
    const withMsId = await score(
      'ic-prod',
      { data: [{ age: 33, SSN: '555-55-5555', plan: 'gold' }] },
      { 'x-ms-client-request-id': 'ms-7' },
    );
    const withoutId = await score('ic-prod', { data: [{ age: 50, plan: 'free' }] });
    expect([withId, withMsId].map((a) => [a.status, a.requestId])).toEqual([
      [200, 'client-42'],
      [200, 'ms-7'],
    ]);
    expect(withoutId.requestId).toMatch(UUID);

    await waitCollected('ic-prod', 4);
    await host.flushCollected();
    const blobs = await blobsOf('ic-prod');
    const records = Object.values(blobs).flatMap((text) => parseInferenceLines(text).records);
    expect(records.map((r) => r.requestId).sort()).toEqual(['client-42', 'client-42#1', 'ms-7', withoutId.requestId].sort());
    expect(records.find((r) => r.requestId === 'client-42#1')).toMatchObject({
      endpoint: 'ic-prod',
      environment: 'prod',
      deployment: 'blue',
      model: { name: 'fx', version: 2 },
      input: { age: 29, plan: 'free' },
      prediction: 0,
      probabilities: [0.25, 0.75],
    });
    for (const [name, text] of Object.entries(blobs)) {
      const [first] = parseInferenceLines(text).records;
      const t = new Date(first!.time);
      const hour = `${t.getUTCFullYear()}/${String(t.getUTCMonth() + 1).padStart(2, '0')}/${String(t.getUTCDate()).padStart(2, '0')}/${String(t.getUTCHours()).padStart(2, '0')}`;
      expect(name).toMatch(new RegExp(`^ic-prod/${hour}/blue-\\d{8}T\\d{9}Z-\\d{6}\\.jsonl$`));
      expect(text).not.toMatch(/ssn|123-45|987-65|555-55/i);
    }
  });

  it('collects staging but not dev, and never synthetic, deployment-targeted smoke, mirrored, shadow or failed requests', async () => {
    const { prod } = workspaces;
    const before = await collected('ic-prod');
    const row = { input_data: { columns: ['age'], data: [[1]] } };
    // The platform's own requests: load and smoke tests are marked synthetic.
    await prod.scoring.invokeEndpoint('ic-prod', row, { synthetic: true });
    await prod.scoring.invokeEndpoint('ic-prod', row, { deployment: 'green', synthetic: true });
    // Copies: mirror traffic to green, and a shadow of prod on staging.
    await prod.endpoints.setMirrorTraffic('ic-prod', { green: 50 });
    const mirroredBefore = (await host.metrics('ic-prod'))['green']?.mirrored ?? 0;
    const mirrorSources: string[] = [];
    // Half the live requests are copied: send until a copy has been answered.
    await waitFor('a mirrored copy', async () => {
      const id = `mirror-source-${mirrorSources.length}`;
      mirrorSources.push(id);
      expect((await score('ic-prod', row, { 'x-request-id': id })).deployment).toBe('blue');
      await new Promise((r) => setTimeout(r, 50));
      return ((await host.metrics('ic-prod'))['green']?.mirrored ?? 0) > mirroredBefore ? true : undefined;
    });
    await prod.endpoints.setMirrorTraffic('ic-prod', {});
    await prod.shadow.setShadow('ic-prod', { endpoint: 'ic-staging', deployment: 'blue' }, 100);
    await score('ic-prod', row, { 'x-request-id': 'shadowed-live' });
    await waitFor('the shadow copy', async () => ((await prod.shadow.shadowReport('ic-prod')).compared >= 1 ? true : undefined));
    await prod.shadow.setShadow('ic-prod', { endpoint: 'ic-staging', deployment: 'blue' }, 0);
    expect((await score('ic-prod', { action: 'throw', data: [{ age: 1 }] }, { 'x-request-id': 'failed' })).status).toBeGreaterThanOrEqual(
      400,
    );
    expect((await score('ic-dev', row, { 'x-request-id': 'dev-1' })).requestId).toBe('dev-1');
    await score('ic-staging', row, { 'x-request-id': 'staging-1' });
    await score('ic-prod', row, { 'x-request-id': 'marker' });
    // A caller cannot hide a request from monitoring by dressing it up as a copy.
    await score('ic-prod', row, { 'x-request-id': 'claims-to-be-a-copy', 'x-autopilot-shadow': '1' });

    const live = mirrorSources.length + 3;
    await waitCollected('ic-prod', before + live);
    await waitCollected('ic-staging', 1);
    await host.flushCollected();
    const prodIds = (await recordsOf('ic-prod')).map((r) => r.requestId);
    expect(prodIds).toEqual(expect.arrayContaining([...mirrorSources, 'shadowed-live', 'marker', 'claims-to-be-a-copy']));
    expect(prodIds).not.toContain('failed');
    expect(await collected('ic-prod')).toBe(before + live);
    expect((await recordsOf('ic-prod')).filter((r) => r.deployment === 'green')).toEqual([]);
    expect((await recordsOf('ic-staging')).map((r) => r.requestId)).toEqual(['staging-1']);
    expect(await blobsOf('ic-dev')).toEqual({});
  });

  it('readInferenceRecords returns the records of a time range and nothing outside it', async () => {
    const all = readInferenceRecords(storage.data, 'ic-prod', startedAt, new Date(Date.now() + 1000).toISOString());
    const ids: string[] = [];
    for await (const record of all) ids.push(record.requestId);
    expect(ids).toEqual(expect.arrayContaining(['client-42', 'ms-7', 'marker']));
    expect(all.stats).toMatchObject({ records: ids.length, malformed: 0 });

    const earlier = readInferenceRecords(storage.data, 'ic-prod', new Date(Date.parse(startedAt) - 3_600_000).toISOString(), startedAt);
    for await (const record of earlier) throw new Error(`unexpected record ${record.requestId}`);
    expect(earlier.stats.records).toBe(0);
  });

  it('answers a request over 1 MB and counts it as skipped for its size, apart from uncollectable rows', async () => {
    const before = { ...(await host.collectionStats())!.byEndpoint['ic-prod']! };
    const pad = 'p'.repeat(120 * 1024);
    const large = { input_data: { columns: ['age', 'pad'], data: Array.from({ length: 10 }, (_, i) => [i, pad]) } };
    expect(JSON.stringify(large).length).toBeGreaterThan(1024 * 1024);
    expect((await score('ic-prod', large)).status).toBe(200);
    const counted = await waitFor('the large request to be counted', async () => {
      const now = (await host.collectionStats())!.byEndpoint['ic-prod']!;
      return (now.skippedLarge ?? 0) > (before.skippedLarge ?? 0) ? now : undefined;
    });
    expect(counted).toMatchObject({
      skippedLarge: (before.skippedLarge ?? 0) + 1,
      uncollectable: before.uncollectable,
      collected: before.collected,
    });
  });

  it('writes what is still buffered when the workspace stops', async () => {
    const before = await collected('ic-prod');
    await score('ic-prod', { data: [{ age: 77 }] }, { 'x-request-id': 'last-words' });
    await waitCollected('ic-prod', before + 1);
    expect((await host.collectionStats())!.total.buffered).toBeGreaterThan(0);
    await workspaces.prod.stop();
    expect((await recordsOf('ic-prod')).map((r) => r.requestId)).toContain('last-words');
    expect((await host.collectionStats())!.total).toMatchObject({ buffered: 0, dropped: 0 });
  });
});
