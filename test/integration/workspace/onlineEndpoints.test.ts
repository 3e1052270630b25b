import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadRequestError } from '../../../shared/errors';
import {
  EndpointConflictError,
  LocalEndpointHost,
  localMlWorkspace,
  type LocalMlWorkspace,
  type LocalDeploymentInfo,
} from '../../../adapters/local/workspace';
import { waitFor } from '../../support/waitFor';

const fixtures = join(__dirname, '../../fixtures/workspace/scoring');
const spec = join(fixtures, 'deployment.yaml');

/** Deterministic rng (mulberry32) so the split test cannot flake. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('localMlWorkspace online endpoints behind LocalEndpointHost', () => {
  let root: string;
  let host: LocalEndpointHost;
  let dev: LocalMlWorkspace;
  let staging: LocalMlWorkspace;
  const fetchInput = async () => Buffer.alloc(0);

  const score = async (endpoint: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(host.scoringUri(endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      deployment: response.headers.get('azureml-model-deployment'),
      json: (await response.json()) as Record<string, unknown>,
    };
  };
  const rows = { input_data: { columns: ['x'], data: [[1], [2], [3]] } };

  const modelFolder = (tag: string, label: number) => {
    const dir = join(root, 'src', tag);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ tag, label }));
    return dir;
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'endpoints-'));
    host = new LocalEndpointHost({ port: 0, rng: seeded(7) });
    await host.start();
    dev = localMlWorkspace({ environment: 'dev', rootDir: join(root, 'dev'), endpointHost: host, fetchInput });
    staging = localMlWorkspace({ environment: 'staging', rootDir: join(root, 'staging'), endpointHost: host, fetchInput });
    await Promise.all([dev.start(), staging.start()]);
    await dev.models.registerModel({ name: 'fx', source: { path: modelFolder('v1', 1) }, idempotencyKey: 'v1' });
    await dev.models.registerModel({ name: 'fx', source: { path: modelFolder('v2', 0) }, idempotencyKey: 'v2' });
  });

  afterAll(async () => {
    await Promise.all([dev.stop(), staging.stop()]);
    await host.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('deploys a model and serves it through the router once traffic is set', async () => {
    const blue = await dev.endpoints.deploy({ endpoint: 'fx-dev', deployment: 'blue', model: { name: 'fx', version: 1 }, specPath: spec });
    expect(blue).toMatchObject({ name: 'blue', endpoint: 'fx-dev', state: 'succeeded', serving: true, model: { name: 'fx', version: 1 } });
    const before = await score('fx-dev', rows);
    expect(before.status).toBe(503);
    expect(before.json['error']).toMatch(/no deployment receives traffic/);

    const endpoint = await dev.endpoints.setTraffic('fx-dev', { blue: 100 });
    expect(endpoint.scoringUri).toBe(`http://127.0.0.1:${host.port}/endpoints/fx-dev/score`);
    expect(endpoint.id).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/autopilot-local/providers/Microsoft.MachineLearningServices/workspaces/local-dev/onlineEndpoints/fx-dev',
    );
    const answer = await score('fx-dev', rows);
    expect(answer).toMatchObject({ status: 200, deployment: 'blue', json: { predictions: [1, 1, 1], rows: 3, model: 'v1' } });
    expect((await score('fx-dev', { data: [[1]] })).json['rows']).toBe(1);
  });

  it('returns the serving deployment when the same deploy is repeated', async () => {
    const first = (await dev.endpoints.getEndpoint('fx-dev'))!.deployments[0] as LocalDeploymentInfo;
    const again = await dev.endpoints.deploy({ endpoint: 'fx-dev', deployment: 'blue', model: { name: 'fx', version: 1 }, specPath: spec });
    expect(again.pid).toBe(first.pid);
    expect(again.createdAt).toBe(first.createdAt);
  });

  it('answers 500 with the error when run() throws or returns something that is not JSON', async () => {
    const thrown = await score('fx-dev', { action: 'throw' });
    expect(thrown.status).toBe(500);
    expect(thrown.json['error']).toMatch(/cannot score this/);
    expect((await score('fx-dev', { action: 'cyclic' })).status).toBe(500);
  });

  it('passes a 4xx that run() raises for a bad request on to the caller, with its message', async () => {
    const refused = await score('fx-dev', { action: 'refuse' });
    expect(refused).toMatchObject({ status: 400, json: { error: 'column x is named twice' } });
  });

  it('answers 404 for an unknown endpoint or deployment header', async () => {
    const unknown = await score('nope-dev', rows);
    expect(unknown.status).toBe(404);
    expect(unknown.json['error']).toMatch(/endpoint 'nope-dev' not found/);
    const header = await score('fx-dev', rows, { 'azureml-model-deployment': 'purple' });
    expect(header.status).toBe(404);
    expect(header.json['error']).toMatch(/deployment 'purple' not found on endpoint 'fx-dev' \(deployments: blue\)/);
  });

  it('honours 100/0 and 50/50 traffic splits and the deployment header', async () => {
    await dev.endpoints.deploy({ endpoint: 'fx-dev', deployment: 'green', model: { name: 'fx', version: 2 }, specPath: spec });
    await dev.endpoints.setTraffic('fx-dev', { blue: 100, green: 0 });
    const all = await Promise.all(Array.from({ length: 20 }, () => score('fx-dev', rows)));
    expect(new Set(all.map((a) => a.deployment))).toEqual(new Set(['blue']));
    const targeted = await score('fx-dev', rows, { 'azureml-model-deployment': 'green' });
    expect(targeted).toMatchObject({ status: 200, deployment: 'green', json: { model: 'v2', predictions: [0, 0, 0] } });

    await dev.endpoints.setTraffic('fx-dev', { blue: 50, green: 50 });
    const counts: Record<string, number> = { blue: 0, green: 0 };
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => score('fx-dev', rows)));
      for (const a of answers) {
        expect(a.status).toBe(200);
        expect(a.json['model']).toBe(a.deployment === 'blue' ? 'v1' : 'v2');
        counts[a.deployment!]!++;
      }
    }
    expect(counts['blue']! + counts['green']!).toBe(200);
    expect(counts['blue']).toBeGreaterThan(60);
    expect(counts['green']).toBeGreaterThan(60);

    const metrics = await host.metrics('fx-dev');
    expect(metrics['green']!.requests).toBe(counts['green']! + 1);
    expect(metrics['blue']!.errors).toBe(2);
    expect(metrics['blue']!.latencyMs.p99).toBeGreaterThanOrEqual(metrics['blue']!.latencyMs.p50!);
  });

  it('mirrors a share of requests to a shadow deployment without changing the answers', async () => {
    await dev.endpoints.setTraffic('fx-dev', { blue: 100, green: 0 });
    await dev.endpoints.setMirrorTraffic('fx-dev', { green: 50 });
    const before = (await host.metrics('fx-dev'))['green']!.mirrored;
    const answers = await Promise.all(Array.from({ length: 40 }, () => score('fx-dev', rows)));
    expect(answers.every((a) => a.deployment === 'blue' && a.json['model'] === 'v1')).toBe(true);
    await waitFor('mirrored requests', async () => ((await host.metrics('fx-dev'))['green']!.mirrored > before ? true : undefined));
    await dev.endpoints.setMirrorTraffic('fx-dev', {});
  });

  it('validates traffic with errors that say what to change', async () => {
    await expect(dev.endpoints.setTraffic('fx-dev', { blue: 60, green: 30 })).rejects.toThrow(/must sum to 100 \(or be all zero\), got 90/);
    await expect(dev.endpoints.setTraffic('fx-dev', { blue: 100, purple: 0 })).rejects.toThrow(
      /deployment 'purple' does not exist on endpoint 'fx-dev' \(deployments: blue, green\)/,
    );
    await expect(dev.endpoints.setTraffic('fx-dev', { blue: 101 })).rejects.toThrow(BadRequestError);
    await expect(dev.endpoints.setTraffic('nope-dev', {})).rejects.toThrow(/endpoint 'nope-dev' not found/);
    await expect(dev.endpoints.deleteDeployment('fx-dev', 'blue')).rejects.toThrow(/still receives 100% of live traffic; move its traffic/);
  });

  it('keeps endpoint names unique across environments', async () => {
    await staging.models.importModel((await dev.models.getModel({ name: 'fx', version: 1 }))!, 'dev');
    await expect(
      staging.endpoints.deploy({ endpoint: 'fx-dev', deployment: 'blue', model: { name: 'fx', version: 1 }, specPath: spec }),
    ).rejects.toThrow(EndpointConflictError);
  });

  it('answers 502 while a killed scoring server is down, then serves again after its restart', async () => {
    const blue = (await dev.endpoints.getEndpoint('fx-dev'))!.deployments.find((d) => d.name === 'blue') as LocalDeploymentInfo;
    process.kill(blue.pid!, 'SIGKILL');
    // Pinned: unpinned requests go to green, live at 0%, while blue restarts (warmFallback.test.ts).
    const down = await score('fx-dev', rows, { 'azureml-model-deployment': 'blue' });
    expect(down.status).toBe(502);
    expect(down.deployment).toBe('blue');
    await waitFor('blue to serve again', async () =>
      (await score('fx-dev', rows, { 'azureml-model-deployment': 'blue' })).status === 200 ? true : undefined,
    );
    const restarted = (await dev.endpoints.getEndpoint('fx-dev'))!.deployments.find((d) => d.name === 'blue') as LocalDeploymentInfo;
    expect(restarted.restarts).toBe(1);
    expect(restarted.pid).not.toBe(blue.pid);
  });

  it('answers 504 when a deployment takes longer than its request timeout', async () => {
    await dev.endpoints.deploy({
      endpoint: 'fx-dev',
      deployment: 'slow',
      model: { name: 'fx', version: 1 },
      specPath: join(fixtures, 'deployment-slow.yaml'),
    });
    const slow = await score('fx-dev', { action: 'slow' }, { 'azureml-model-deployment': 'slow' });
    expect(slow.status).toBe(504);
    expect(slow.json['error']).toMatch(/did not answer within 300 ms/);
    await dev.endpoints.deleteDeployment('fx-dev', 'slow');
    expect((await dev.endpoints.getEndpoint('fx-dev'))!.deployments.map((d) => d.name)).toEqual(['blue', 'green']);
  });

  it('marks a deployment failed with its log when init() throws', async () => {
    const failed = await dev.endpoints.deploy({
      endpoint: 'fx-dev',
      deployment: 'broken',
      model: { name: 'fx', version: 1 },
      specPath: join(fixtures, 'deployment-bad-init.yaml'),
    });
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/exited \(exit code 1\) before it became live/);
    expect(failed.error).toContain('model file is corrupt');
    await expect(dev.endpoints.setTraffic('fx-dev', { broken: 100 })).rejects.toThrow(/'broken' failed/);
    await dev.endpoints.deleteDeployment('fx-dev', 'broken');
  });

  it('lists endpoints on GET /endpoints', async () => {
    const response = await fetch(`http://127.0.0.1:${host.port}/endpoints`);
    expect(await response.json()).toEqual([
      { name: 'fx-dev', environment: 'dev', scoringUri: host.scoringUri('fx-dev'), traffic: { blue: 100, green: 0 }, mirrorTraffic: {} },
    ]);
  });

  it('re-serves endpoints with their traffic after the workspace restarts', async () => {
    await dev.stop();
    expect((await score('fx-dev', rows)).status).toBe(404);
    dev = localMlWorkspace({ environment: 'dev', rootDir: join(root, 'dev'), endpointHost: host, fetchInput });
    await dev.start();
    const endpoint = (await dev.endpoints.getEndpoint('fx-dev'))!;
    expect(endpoint.traffic).toEqual({ blue: 100, green: 0 });
    expect(endpoint.deployments.map((d) => [d.name, d.state, d.model.version])).toEqual([
      ['blue', 'succeeded', 1],
      ['green', 'succeeded', 2],
    ]);
    expect(await score('fx-dev', rows)).toMatchObject({ status: 200, deployment: 'blue', json: { model: 'v1' } });
  });

  it('replaces the model of an existing deployment name', async () => {
    const replaced = await dev.endpoints.deploy({
      endpoint: 'fx-dev',
      deployment: 'blue',
      model: { name: 'fx', version: 2 },
      specPath: spec,
    });
    expect(replaced).toMatchObject({ state: 'succeeded', model: { version: 2 } });
    expect((await score('fx-dev', rows)).json['model']).toBe('v2');
  });
});
