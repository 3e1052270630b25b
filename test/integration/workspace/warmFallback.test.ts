import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEndpointHost, localMlWorkspace, type LocalMlWorkspace, type LocalDeploymentInfo } from '../../../adapters/local/workspace';
import { waitFor } from '../../support/waitFor';

const fixtures = join(__dirname, '../../fixtures/workspace/scoring');

/**
 * Item 10d of issue 11: after a promotion the previous prod deployment stays warm at 0%;
 * while the serving deployment's crashed server restarts, it answers instead of a 502.
 */
describe('the router while a scoring server restarts', () => {
  let root: string;
  let host: LocalEndpointHost;
  let dev: LocalMlWorkspace;
  let gate: string;

  const score = async (headers: Record<string, string> = {}) => {
    const response = await fetch(host.scoringUri('wf-dev'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ input_data: { columns: ['x'], data: [[1]] } }),
    });
    return { status: response.status, deployment: response.headers.get('azureml-model-deployment') };
  };
  const deployment = async (name: string) =>
    (await dev.endpoints.getEndpoint('wf-dev'))!.deployments.find((d) => d.name === name) as LocalDeploymentInfo;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'warm-fallback-'));
    host = new LocalEndpointHost({ port: 0, rng: () => 0.5 });
    await host.start();
    dev = localMlWorkspace({
      environment: 'dev',
      rootDir: join(root, 'dev'),
      endpointHost: host,
      fetchInput: async () => Buffer.alloc(0),
    });
    await dev.start();
    const folder = (tag: string) => {
      const dir = join(root, 'src', tag);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ tag, label: 1 }));
      return { path: dir };
    };
    await dev.models.registerModel({ name: 'wf', source: folder('v1'), idempotencyKey: 'v1' });
    const gated = await dev.models.registerModel({ name: 'wf', source: folder('v2'), idempotencyKey: 'v2' });
    // The gated script becomes live only while this file exists in its model folder.
    gate = join(gated.path, 'gate');
    writeFileSync(gate, '');
    await dev.endpoints.deploy({
      endpoint: 'wf-dev',
      deployment: 'previous',
      model: { name: 'wf', version: 1 },
      specPath: join(fixtures, 'deployment.yaml'),
    });
    await dev.endpoints.deploy({
      endpoint: 'wf-dev',
      deployment: 'current',
      model: { name: 'wf', version: 2 },
      specPath: join(fixtures, 'deployment-gated.yaml'),
    });
    await dev.endpoints.setTraffic('wf-dev', { current: 100, previous: 0 });
  });

  afterAll(async () => {
    await dev.stop();
    await host.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('sends requests to the warm deployment at 0% and counts them for the deployment that answered', async () => {
    expect(await score()).toEqual({ status: 200, deployment: 'current' });
    const before = await host.metrics('wf-dev');
    const current = await deployment('current');
    // The restarted server waits for the gate: 'current' stays down for as long as the test needs.
    unlinkSync(gate);
    process.kill(current.pid!, 'SIGKILL');
    await waitFor("'current' to be down", async () => ((await deployment('current')).serving ? undefined : true));

    const during = await Promise.all(Array.from({ length: 8 }, () => score()));
    expect(during).toEqual(Array.from({ length: 8 }, () => ({ status: 200, deployment: 'previous' })));
    // A caller that names the deployment gets that one, down or not.
    const pinned = await score({ 'azureml-model-deployment': 'current' });
    expect(pinned).toEqual({ status: 502, deployment: 'current' });

    const after = await host.metrics('wf-dev');
    expect(after['previous']!.requests - (before['previous']?.requests ?? 0)).toBe(8);
    expect(after['previous']!.errors - (before['previous']?.errors ?? 0)).toBe(0);
    expect(after['current']!.requests - before['current']!.requests).toBe(1);
    expect(after['current']!.errors - before['current']!.errors).toBe(1);

    writeFileSync(gate, '');
    await waitFor("'current' to serve again after its restart", async () => ((await score()).deployment === 'current' ? true : undefined));
    expect((await deployment('current')).restarts).toBe(1);
  });
});
