// The routes' registrations load after their services are mocked (beforeAll), so nothing here imports functions/ at the top.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalTokens } from '../../../adapters/local/tokens';
import { createAuthenticator } from '../../../adapters/auth/authenticator';
import { loadOrCreateHostKeys } from '../../../devhost/hostKeys';
import type { Services } from '../../../adapters/compose';
import { mockFunctionsCore } from '../../fakes/functionsCoreModule';
import { serveInProcess } from '../../fakes/inProcessHost';
import { MemoryEvents, MemoryTable } from '../release/fakes';

/**
 * Every GET route with a number in its query, behind the local host's own HTTP server with
 * the real registrations; services are fakes that record what the route asked them for.
 */
describe('query numbers on every route', () => {
  const dir = mkdtempSync(join(tmpdir(), 'query-params-'));
  const tokens = ensureLocalTokens(dir);
  const asked: Record<string, unknown> = {};
  const events = new MemoryEvents();
  const fakeServices = {
    config: { pipelines: { default: {} } },
    authenticate: createAuthenticator({}, tokens),
    events,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    clock: { now: () => new Date() },
    releases: { scan: async (query: unknown) => ((asked.releases = query), { releases: [], unreadable: [] }) },
    control: { get: async (id: string) => ({ id, job: { name: 'job-1' } }) },
    eventLog: { recent: async (n: number) => ((asked.events = n), []) },
    monitors: { table: new MemoryTable() },
    alerts: { table: new MemoryTable() },
    workspaces: {
      dev: {
        jobs: { jobLog: async (_name: string, maxBytes: number) => ((asked.log = maxBytes), 'log text') },
        logs: {
          deploymentLogs: async (_e: string, _d: string, options: unknown) => ((asked.logs = options), { source: 'test', lines: [] }),
        },
      },
      staging: {},
      prod: {},
    },
  };
  let host: { base: string; close(): Promise<void> } | undefined;
  let base: string;
  let reader: string;

  beforeAll(async () => {
    const core = mockFunctionsCore();
    (require('../../../functions/services') as typeof import('../../../functions/services')).provideServices(
      () => fakeServices as unknown as Services,
    );
    for (const module of ['releases', 'catalog', 'logs']) require(`../../../functions/http/${module}`);
    require('../../../functions/monitors');
    require('../../../functions/alerts');
    core.lock();
    host = await serveInProcess(core, loadOrCreateHostKeys(dir).keys);
    base = host.base;
    reader = JSON.parse(readFileSync(tokens.path, 'utf8')).tokens.find((t: { principal: string }) => t.principal === 'local-reader').token;
  });

  afterAll(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string) => fetch(`${base}/api/${path}`, { headers: { authorization: `Bearer ${reader}` } });

  const routes = [
    { path: 'releases', name: 'limit', max: 1000 },
    { path: 'releases/r1/log', name: 'maxBytes', max: 1048576 },
    { path: 'events', name: 'limit', max: 500 },
    { path: 'monitors/default', name: 'limit', max: 200 },
    { path: 'alerts', name: 'limit', max: 1000 },
    { path: 'endpoints/default-prod/deployments/blue/logs?environment=dev', name: 'tail', max: 5000 },
  ];

  it.each(routes)('GET /api/$path refuses a bad $name with 400 naming it, never a 500 or a silent clamp', async ({ path, name, max }) => {
    const join = path.includes('?') ? '&' : '?';
    for (const value of ['-1', '1.5', '', '1e2', '0x10', String(max + 1), 'abc']) {
      const response = await get(`${path}${join}${name}=${encodeURIComponent(value)}`);
      expect({ value, status: response.status }).toEqual({ value, status: 400 });
      const { error } = (await response.json()) as { error: { where: string; message: string } };
      expect(error).toMatchObject({ where: `query.${name}`, message: expect.stringContaining(`must be a whole number from 1 to ${max}`) });
    }
    expect((await get(`${path}${join}${name}=${max}`)).status).toBe(200);
  });

  it('passes the value asked for, or the documented default, to the service', async () => {
    await get('releases?limit=7');
    expect(asked.releases).toMatchObject({ limit: 7 });
    await get('releases/r1/log');
    expect(asked.log).toBe(65536);
    await get('events?limit=3');
    expect(asked.events).toBe(3);
    await get('endpoints/default-prod/deployments/blue/logs?environment=dev&tail=9');
    expect(asked.logs).toEqual({ tail: 9 });
  });
});
