import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../devhost/freePort';
import { BadRequestError, NotFoundError } from '../../../shared/errors';
import type { DeploymentTraffic, ScoreRequest, TrafficWindow } from '../../../shared/ports';
import { postJson } from '../../../adapters/local/inference/postJson';
import { LocalEndpointHost, localMlWorkspace, type LocalMlWorkspace } from '../../../adapters/local/workspace';
import { waitFor } from '../../support/waitFor';

const fixtures = join(__dirname, '../../fixtures/workspace/scoring');
const spec = (name: string) => join(fixtures, `deployment-${name}.yaml`);
const oneRow: ScoreRequest = { input_data: { columns: ['x'], data: [[1]] } };

/**
 * The host's clock (observations, loads): the wall clock, or held still while a test steps
 * it by hand. Released, it carries on from where it was held, so it never goes back.
 */
const clock = { held: undefined as number | undefined, skew: 0 };
const hostNow = () => clock.held ?? Date.now() + clock.skew;
const hold = () => (clock.held = hostNow());
const release = () => {
  if (clock.held === undefined) return;
  clock.skew = Math.max(clock.skew, clock.held - Date.now());
  clock.held = undefined;
};

const total = (window: TrafficWindow) => Object.values(window.byDeployment).reduce((sum, t) => sum + t.requests, 0);
const arm = (window: TrafficWindow, deployment: string): DeploymentTraffic => window.byDeployment[deployment]!;

describe('localMlWorkspace rollout signals: observed traffic, shadow, synthetic load', () => {
  let root: string;
  let host: LocalEndpointHost;
  let prod: LocalMlWorkspace;
  let staging: LocalMlWorkspace;
  const fetchInput = async () => Buffer.alloc(0);
  const workspace = (environment: 'prod' | 'staging') =>
    localMlWorkspace({ environment, rootDir: join(root, environment), endpointHost: host, fetchInput });

  /** A plain caller's request: no deployment header, no synthetic mark. */
  const live = async () => {
    const response = await fetch(host.scoringUri('sr-prod'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(oneRow),
    });
    return {
      status: response.status,
      deployment: response.headers.get('azureml-model-deployment'),
      json: (await response.json()) as { predictions: unknown[] },
    };
  };
  /** Waits for a window after `since` holding `count` requests (the current millisecond is held back). */
  const windowOf = (ws: LocalMlWorkspace, endpoint: string, since: string, count: number, thresholds: number[] = []) =>
    waitFor(`${count} requests on ${endpoint}`, async () => {
      const window = await ws.traffic.trafficSince(endpoint, since, thresholds);
      return total(window) >= count ? window : undefined;
    });
  /** A cursor after everything observed so far. */
  const cursor = async (ws: LocalMlWorkspace, endpoint: string) => {
    const before = new Date(hostNow()).toISOString();
    // Wait out the current millisecond so nothing recorded up to now is left for the next page.
    await waitFor('the clock to move', () => (new Date(hostNow()).toISOString() > before ? true : undefined));
    return (await ws.traffic.trafficSince(endpoint, before, [])).until;
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rollout-signals-'));
    host = new LocalEndpointHost({ port: 0, now: hostNow });
    await host.start();
    prod = workspace('prod');
    staging = workspace('staging');
    await Promise.all([prod.start(), staging.start()]);
    const modelDir = join(root, 'model');
    mkdirSync(modelDir);
    writeFileSync(join(modelDir, 'model.json'), '{}');
    for (const ws of [prod, staging]) await ws.models.registerModel({ name: 'sr', source: { path: modelDir }, idempotencyKey: 'v1' });
    const model = { name: 'sr', version: 1 };
    const deployed = await Promise.all([
      prod.endpoints.deploy({ endpoint: 'sr-prod', deployment: 'good', model, specPath: spec('class-a') }),
      prod.endpoints.deploy({ endpoint: 'sr-prod', deployment: 'flaky', model, specPath: spec('flaky') }),
      prod.endpoints.deploy({ endpoint: 'sr-prod', deployment: 'sleepy', model, specPath: spec('sleepy') }),
      staging.endpoints.deploy({ endpoint: 'sr-staging', deployment: 'same', model, specPath: spec('class-a') }),
      staging.endpoints.deploy({ endpoint: 'sr-staging', deployment: 'other', model, specPath: spec('class-b') }),
    ]);
    expect(deployed.map((d) => d.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    await prod.endpoints.setTraffic('sr-prod', { good: 100, flaky: 0, sleepy: 0 });
    await staging.endpoints.setTraffic('sr-staging', { same: 100, other: 0 });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([prod?.stop(), staging?.stop()]);
    await host?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('trafficSince reports the errors and slow answers of a failing and a slow deployment against a good one', async () => {
    const since = await cursor(prod, 'sr-prod');
    await Promise.all(
      ['good', 'flaky', 'sleepy'].flatMap((deployment) =>
        Array.from({ length: 10 }, () => prod.scoring.invokeEndpoint('sr-prod', oneRow, { deployment })),
      ),
    );
    const window = await windowOf(prod, 'sr-prod', since, 30, [90]);
    expect(total(window)).toBe(30);
    expect(arm(window, 'good')).toMatchObject({ requests: 10, errors: 0, predictions: { a: 10 }, synthetic: 0 });
    expect(arm(window, 'flaky')).toMatchObject({ requests: 10, errors: 5, predictions: { a: 5 } });
    expect(arm(window, 'sleepy')).toMatchObject({ requests: 10, errors: 0, slowerThan: [10] });
    expect(arm(window, 'good').slowerThan[0]).toBeLessThan(10);
    expect(arm(window, 'sleepy').latencyP99Ms).toBeGreaterThanOrEqual(arm(window, 'sleepy').latencyP50Ms!);

    // The next page starts where this one ended: only the new requests are in it.
    await Promise.all(Array.from({ length: 4 }, () => prod.scoring.invokeEndpoint('sr-prod', oneRow, { deployment: 'sleepy' })));
    const next = await windowOf(prod, 'sr-prod', window.until, 4);
    expect(next.since).toBe(window.until);
    expect([total(next), arm(next, 'sleepy').requests, arm(next, 'good').requests]).toEqual([4, 4, 0]);
  });

  it('counts live, header-targeted and synthetic requests under the deployment that answered, flagging the synthetic ones', async () => {
    const since = await cursor(prod, 'sr-prod');
    for (let i = 0; i < 6; i++) expect(await live()).toMatchObject({ status: 200, deployment: 'good', json: { predictions: ['a'] } });
    for (let i = 0; i < 3; i++) {
      const answer = await prod.scoring.invokeEndpoint('sr-prod', oneRow, { synthetic: true });
      expect(answer).toMatchObject({ status: 200, deployment: 'good', body: { predictions: ['a'] } });
      expect(answer.latencyMs).toBeGreaterThan(0);
    }
    await prod.scoring.invokeEndpoint('sr-prod', oneRow, { deployment: 'flaky', synthetic: true });
    await prod.scoring.invokeEndpoint('sr-prod', oneRow, { deployment: 'flaky', synthetic: true });
    const window = await windowOf(prod, 'sr-prod', since, 11);
    expect(arm(window, 'good')).toMatchObject({ requests: 9, synthetic: 3 });
    expect(arm(window, 'flaky')).toMatchObject({ requests: 2, synthetic: 2, errors: 1 });
    expect(arm(window, 'sleepy').requests).toBe(0);
  });

  it('invokeEndpoint answers 502 for a deployment that is not serving instead of throwing, and counts it as an error', async () => {
    const since = await cursor(prod, 'sr-prod');
    const broken = await prod.endpoints.deploy({
      endpoint: 'sr-prod',
      deployment: 'broken',
      model: { name: 'sr', version: 1 },
      specPath: join(fixtures, 'deployment-bad-init.yaml'),
    });
    expect(broken.state).toBe('failed');
    const answer = await prod.scoring.invokeEndpoint('sr-prod', oneRow, { deployment: 'broken' });
    expect(answer).toMatchObject({ status: 502, deployment: 'broken', body: { error: expect.stringMatching(/not serving right now/) } });
    expect(arm(await windowOf(prod, 'sr-prod', since, 1), 'broken')).toMatchObject({ requests: 1, errors: 1, predictions: {} });
    await prod.endpoints.deleteDeployment('sr-prod', 'broken');
    await expect(prod.scoring.invokeEndpoint('sr-staging', oneRow)).rejects.toThrow(NotFoundError);
  });

  it('reports status 0 with the reason, not a throw, when nothing listens where it calls', async () => {
    const answer = await postJson(`http://127.0.0.1:${await freePort()}/endpoints/x/score`, '{}');
    expect(answer.status).toBe(0);
    expect(answer.error).toMatch(/cannot reach .*ECONNREFUSED/);
  });

  it('shadows prod live requests to a staging deployment: the same model agrees fully and callers get prod answers', async () => {
    const stagingSince = await cursor(staging, 'sr-staging');
    const mirroredBefore = (await host.metrics('sr-staging'))['same']?.mirrored ?? 0;
    await prod.shadow.setShadow('sr-prod', { endpoint: 'sr-staging', deployment: 'same' }, 100);
    const answers = await Promise.all(Array.from({ length: 20 }, live));
    expect(answers.every((a) => a.status === 200 && a.deployment === 'good')).toBe(true);
    const report = await waitFor('20 mirrored requests', async () => {
      const r = await prod.shadow.shadowReport('sr-prod');
      return r.mirrored >= 20 ? r : undefined;
    });
    expect(report).toEqual({ mirrored: 20, compared: 20, agreed: 20, shadowErrors: 0, liveErrors: 0 });
    // Copies are not staging's own traffic: recorded as mirrored, left out of trafficSince.
    expect((await host.metrics('sr-staging'))['same']!.mirrored - mirroredBefore).toBe(20);
    expect(arm(await staging.traffic.trafficSince('sr-staging', stagingSince, []), 'same').requests).toBe(0);
  });

  it('a shadow with a different model agrees less than fully; setting the shadow again restarts its tally', async () => {
    await prod.shadow.setShadow('sr-prod', { endpoint: 'sr-staging', deployment: 'other' }, 100);
    expect(await prod.shadow.shadowReport('sr-prod')).toEqual({ mirrored: 0, compared: 0, agreed: 0, shadowErrors: 0, liveErrors: 0 });
    const answers = await Promise.all(Array.from({ length: 20 }, live));
    expect(answers.every((a) => a.deployment === 'good' && a.json.predictions[0] === 'a')).toBe(true);
    const report = await waitFor('20 mirrored requests', async () => {
      const r = await prod.shadow.shadowReport('sr-prod');
      return r.mirrored >= 20 ? r : undefined;
    });
    expect(report).toMatchObject({ mirrored: 20, compared: 20, shadowErrors: 0 });
    expect(report.agreed / report.compared).toBeLessThan(1);
  });

  it('copies requests routed by weight to the shadow, synthetic ones included, never header-targeted ones', async () => {
    await prod.shadow.setShadow('sr-prod', { endpoint: 'sr-staging', deployment: 'same' }, 100);
    for (let i = 0; i < 5; i++) await prod.scoring.invokeEndpoint('sr-prod', oneRow, { deployment: 'good' });
    for (let i = 0; i < 2; i++) await prod.scoring.invokeEndpoint('sr-prod', oneRow, { synthetic: true });
    for (let i = 0; i < 3; i++) await live();
    await waitFor('5 mirrored requests', async () => ((await prod.shadow.shadowReport('sr-prod')).mirrored >= 5 ? true : undefined));
    expect(await prod.shadow.shadowReport('sr-prod')).toMatchObject({ mirrored: 5, agreed: 5 });
  });

  it('a load without named deployments follows the traffic weights and feeds the shadow', async () => {
    await prod.shadow.setShadow('sr-prod', { endpoint: 'sr-staging', deployment: 'same' }, 100);
    await prod.load.ensureLoad({
      id: 'thin-prod',
      endpoint: 'sr-prod',
      deployments: [],
      request: oneRow,
      requestsPerSecond: 50,
      until: new Date(Date.now() + 60_000).toISOString(),
    });
    const report = await waitFor('10 compared requests', async () => {
      const r = await prod.shadow.shadowReport('sr-prod');
      return r.compared >= 10 ? r : undefined;
    });
    await prod.load.stopLoad('thin-prod');
    // Its answers still on their way would land in the next test's window.
    await waitFor('the stopped load to be answered', () => (prod.load.loadStatus('thin-prod')!.inFlight === 0 ? true : undefined));
    expect(report.agreed).toBe(report.compared);
    expect(Object.keys(prod.load.loadStatus('thin-prod')!.answeredBy)).toEqual(['good']);
  });

  it('refuses a shadow to a deployment that does not exist, naming what does', async () => {
    await expect(prod.shadow.setShadow('sr-prod', { endpoint: 'sr-staging', deployment: 'nope' }, 10)).rejects.toThrow(
      /shadow target deployment 'nope' does not exist on endpoint 'sr-staging' \(deployments: same, other\)/,
    );
    await expect(prod.shadow.setShadow('sr-prod', { endpoint: 'sr-staging', deployment: 'same' }, 120)).rejects.toThrow(BadRequestError);
  });

  it('replays rows at the requested rate by the host clock, split across deployments and flagged synthetic, and stops at `until`', async () => {
    const since = await cursor(prod, 'sr-prod');
    const start = hold();
    try {
      await prod.load.ensureLoad({
        id: 'release-1',
        endpoint: 'sr-prod',
        deployments: ['good', 'flaky'],
        request: { input_data: { columns: ['x'], data: [[1], [2], [3]] } },
        requestsPerSecond: 40,
        until: new Date(start + 1_500).toISOString(),
      });
      // 40/s: request k is due at k·25 ms, so 60 before `until`. The clock moves 250 ms at a
      // time (10 due, under MAX_IN_FLIGHT) once everything sent so far is answered.
      for (let ms = 250; ms <= 1_500; ms += 250) {
        clock.held = start + ms;
        const due = Math.min(ms / 25 + 1, 60);
        await waitFor(`${due} requests sent and answered`, () => {
          const status = prod.load.loadStatus('release-1')!;
          return status.sent === due && status.inFlight === 0 ? true : undefined;
        });
      }
      const done = prod.load.loadStatus('release-1')!;
      expect(done).toMatchObject({ running: false, sent: 60, completed: 60, skipped: 0 });
      const good = done.answeredBy['good']!;
      const flaky = done.answeredBy['flaky']!;
      // Each request's deployment is a fair draw: one of them idle in 60 has probability 2^-59.
      expect(Object.keys(done.answeredBy).sort()).toEqual(['flaky', 'good']);
      expect(good + flaky).toBe(60);
      // Past the last answer's millisecond, so the window holds all of them (and nothing else).
      clock.held = start + 1_501;
      const window = await windowOf(prod, 'sr-prod', since, 60);
      expect(total(window)).toBe(60);
      expect(arm(window, 'good')).toMatchObject({ requests: good, synthetic: good, errors: 0 });
      expect(arm(window, 'flaky')).toMatchObject({ requests: flaky, synthetic: flaky });
      expect([Math.floor(flaky / 2), Math.ceil(flaky / 2)]).toContain(arm(window, 'flaky').errors);
      expect(done.errors).toBe(arm(window, 'flaky').errors);
    } finally {
      release();
    }
  });

  it('stopLoad stops a running load, and ensureLoad updates it in place', async () => {
    const load = {
      id: 'release-2',
      endpoint: 'sr-prod',
      deployments: ['good'],
      request: oneRow,
      requestsPerSecond: 20,
      until: new Date(Date.now() + 60_000).toISOString(),
    };
    await prod.load.ensureLoad(load);
    await waitFor('the load to send', () => ((prod.load.loadStatus('release-2')?.sent ?? 0) >= 3 ? true : undefined));
    await prod.load.ensureLoad({ ...load, requestsPerSecond: 10 });
    expect(prod.load.loadStatus('release-2')).toMatchObject({ running: true, requestsPerSecond: 10 });
    await prod.load.stopLoad('release-2');
    expect(prod.load.loadStatus('release-2')!.running).toBe(false);
    await expect(prod.load.ensureLoad({ ...load, requestsPerSecond: 1_000 })).rejects.toThrow(/at most 500 requests per second/);
    await expect(prod.load.ensureLoad({ ...load, deployments: ['purple'] })).rejects.toThrow(
      /deployment 'purple' does not exist on endpoint 'sr-prod'/,
    );
  });

  it('keeps the shadow across a workspace restart, and stops the workspace loads when it stops', async () => {
    await prod.load.ensureLoad({
      id: 'release-3',
      endpoint: 'sr-prod',
      deployments: ['good'],
      request: oneRow,
      requestsPerSecond: 5,
      until: new Date(Date.now() + 60_000).toISOString(),
    });
    await prod.stop();
    expect(host.loadStatus('prod/release-3')!.running).toBe(false);

    prod = workspace('prod');
    await prod.start();
    const before = (await prod.shadow.shadowReport('sr-prod')).mirrored;
    await Promise.all(Array.from({ length: 5 }, live));
    await waitFor('mirrored requests after the restart', async () =>
      (await prod.shadow.shadowReport('sr-prod')).mirrored >= before + 5 ? true : undefined,
    );

    await prod.shadow.setShadow('sr-prod', { endpoint: 'sr-staging', deployment: 'same' }, 0);
    await Promise.all(Array.from({ length: 5 }, live));
    expect(await prod.shadow.shadowReport('sr-prod')).toMatchObject({ mirrored: 0 });
    const listed = (await (await fetch(`http://127.0.0.1:${host.port}/endpoints`)).json()) as { name: string; shadow?: unknown }[];
    expect(listed.find((e) => e.name === 'sr-prod')!.shadow).toBeUndefined();
  });
});
