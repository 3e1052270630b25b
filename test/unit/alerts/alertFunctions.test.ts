import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalTokens } from '../../../adapters/local/tokens';
import { createAuthenticator } from '../../../adapters/auth/authenticator';
import type { Services } from '../../../adapters/compose';
import { mockFunctionsCore } from '../../fakes/functionsCoreModule';
import { serveInProcess } from '../../fakes/inProcessHost';
import { EVENTGRID_SYSTEM_KEY, loadOrCreateHostKeys, type HostKeys } from '../../../devhost/hostKeys';
import { MemoryEvents, MemoryTable } from '../release/fakes';
import { FakeReleaseControl, MemoryLogger } from './fakeReleaseControl';
import { alertFixture, endpoint } from './fixtures';

/**
 * functions/alerts.ts and functions/amlEvents.ts behind the local host's own HTTP server,
 * in process: the real @azure/functions registrations, host key checks, routing and
 * Event Grid webhook; only the app's services are in-memory fakes.
 */
const dir = mkdtempSync(join(tmpdir(), 'alert-functions-'));
const table = new MemoryTable();
const control = new FakeReleaseControl();
const events = new MemoryEvents();
const tokens = ensureLocalTokens(dir);
const prod = endpoint('default-prod', 'prod', ['blue', 'green']);
const clock = { now: () => new Date() };
const logger = new MemoryLogger();
// Only the ports these handlers use: the alert and Azure ML event reactions, and sign-in.
const fakeServices = {
  alerts: { table, canaries: control, listEndpoints: async () => [prod], events, clock, logger },
  amlEvents: { table, releases: control, clock, logger },
  logger,
  authenticate: createAuthenticator({}, tokens),
};

let host: { base: string; close(): Promise<void> } | undefined;
let base: string;
let keys: HostKeys;

beforeAll(async () => {
  // What the real worker provides; @azure/functions looks it up on its first registration.
  const core = mockFunctionsCore();
  (require('../../../functions/services') as typeof import('../../../functions/services')).provideServices(
    () => fakeServices as unknown as Services,
  );
  require('../../../functions/alerts');
  require('../../../functions/amlEvents');
  core.lock();
  keys = loadOrCreateHostKeys(dir).keys;
  host = await serveInProcess(core, keys);
  base = host.base;
});

afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

const functionKey = () => keys.functionKeys['default']!;
const postAlert = (body: unknown, query = `?code=${functionKey()}`) =>
  fetch(`${base}/api/alerts${query}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

describe('POST /api/alerts', () => {
  it('refuses a forged alert without the function key before it reaches the function', async () => {
    control.canaries.set('default-prod', 'r-forged');
    expect((await postAlert(alertFixture('metric-fired.json'), '')).status).toBe(401);
    expect((await postAlert(alertFixture('metric-fired.json'), '?code=not-the-key')).status).toBe(401);
    expect(control.rollbacks).toEqual([]);
    control.canaries.clear();
  });

  it('rolls back the canary of the endpoint an alert names, once, with the key in ?code=', async () => {
    control.canaries.set('default-prod', 'r1');
    const first = await postAlert(alertFixture('metric-fired.json'));
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ outcome: 'rolled_back', condition: 'Fired', endpoints: ['default-prod'], releases: ['r1'] });
    const again = await postAlert(alertFixture('metric-fired.json'));
    expect(await again.json()).toMatchObject({ outcome: 'duplicate' });
    expect(control.rollbacks).toEqual([
      expect.objectContaining({ endpoint: 'default-prod', actor: 'azure-monitor:default-prod-p99-latency' }),
    ]);
  });

  it('answers 400 with the field and the fix for a body that is not the common schema', async () => {
    const legacy = await postAlert(alertFixture('legacy-metric-alert.json'));
    expect(legacy.status).toBe(400);
    const { error } = (await legacy.json()) as { error: { code: string; message: string; where: string } };
    expect(error).toMatchObject({ code: 'BadRequest', where: 'body.schemaId' });
    expect(error.message).toMatch(/common alert schema/);
    const notJson = await postAlert('{nope');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { where: string } }).error.where).toBe('body');
  });
});

describe('GET /api/alerts', () => {
  it('lists received alerts to a caller with a reader token and refuses anonymous callers', async () => {
    expect((await fetch(`${base}/api/alerts`)).status).toBe(401);
    const readerToken = JSON.parse(readFileSync(tokens.path, 'utf8')).tokens.find(
      (t: { principal: string }) => t.principal === 'local-reader',
    ).token;
    const response = await fetch(`${base}/api/alerts?limit=5`, { headers: { authorization: `Bearer ${readerToken}` } });
    expect(response.status).toBe(200);
    const { alerts } = (await response.json()) as { alerts: { alert: { rule: string }; outcome: string }[] };
    expect(alerts).toEqual([
      expect.objectContaining({ outcome: 'rolled_back', alert: expect.objectContaining({ rule: 'default-prod-p99-latency' }) }),
    ]);
    const bad = await fetch(`${base}/api/alerts?limit=0`, { headers: { authorization: `Bearer ${readerToken}` } });
    expect(bad.status).toBe(400);
  });
});

describe('amlEvents (Event Grid trigger)', () => {
  const deliver = (body: unknown) =>
    fetch(`${base}/runtime/webhooks/eventgrid?functionName=amlEvents&code=${keys.systemKeys[EVENTGRID_SYSTEM_KEY]}`, {
      method: 'POST',
      headers: { 'aeg-event-type': 'Notification', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('nudges the release whose training job failed', async () => {
    control.releases.add('default-20260322-135000-abc123');
    const [failed] = alertFixture<Record<string, any>[]>('aml-events-eventgrid.json').filter((e) =>
      e.eventType.endsWith('RunStatusChanged'),
    );
    failed!.data.runId = 'default-20260322-135000-abc123-train';
    expect((await deliver([failed])).status).toBe(200);
    expect(control.nudges).toEqual(['default-20260322-135000-abc123']);
  });

  it('acknowledges unknown and malformed events so Event Grid does not retry them forever', async () => {
    const [registered] = alertFixture<Record<string, any>[]>('aml-events-eventgrid.json');
    const unknown = { ...registered, id: 'u1', eventType: 'Microsoft.MachineLearningServices.DatasetCreated' };
    const malformed = { ...registered, id: 'm1', data: { ModelVersion: 3 } };
    const nudgesBefore = control.nudges.length;
    expect((await deliver([unknown, malformed])).status).toBe(200);
    expect(control.nudges).toHaveLength(nudgesBefore);
    expect(await table.get('amlevent', 'u1')).toBeUndefined();
  });
});
