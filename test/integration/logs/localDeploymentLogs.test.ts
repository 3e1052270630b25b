import { mkdtempSync, readFileSync } from 'node:fs';
import type { Services } from '../../../adapters/compose';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalEndpointHost, LocalMlWorkspace } from '../../../adapters/local/workspace';
import { ensureLocalTokens } from '../../../adapters/local/tokens';
import { createAuthenticator } from '../../../adapters/auth/authenticator';
import { FunctionInvoker } from '../../../devhost/functionInvoker';
import { mockFunctionsCore } from '../../fakes/functionsCoreModule';
import { createHostHttpServer } from '../../../devhost/hostHttpServer';
import { loadOrCreateHostKeys } from '../../../devhost/hostKeys';
import { HttpRouteTable } from '../../../devhost/httpRouteTable';
import { createHostLogger } from '../../../devhost/logger';
import { startLocalProdEndpoint, type LocalProdEndpoint } from '../../support/localProdEndpoint';
import { waitFor } from '../../support/waitFor';
import { BadRequestError, NotFoundError } from '../../../shared/errors';
import type { DeploymentLogs } from '../../../shared/ports';

/**
 * The local backend's deployment logs through real scoring child processes, and the HTTP
 * route (functions/http/logs.ts) behind the local host's own HTTP server in process, with
 * the real local workspaces as the services' workspaces.
 */
const spec = join(__dirname, '../../fixtures/workspace/scoring/deployment.yaml');
const root = mkdtempSync(join(tmpdir(), 'deployment-logs-'));
const tokens = ensureLocalTokens(root);
const tokenOf = (principal: string) =>
  (JSON.parse(readFileSync(tokens.path, 'utf8')) as { tokens: { token: string; principal: string }[] }).tokens.find(
    (t) => t.principal === principal,
  )!.token;

let stack: LocalProdEndpoint;
let host: LocalEndpointHost;
let prod: LocalMlWorkspace;
let server: Server;
let base: string;

const texts = (logs: DeploymentLogs) => logs.lines.map((l) => l.text);

beforeAll(async () => {
  stack = await startLocalProdEndpoint({
    root,
    model: { name: 'fx', json: JSON.stringify({ tag: 'v1', label: 1 }) },
    endpoint: 'fx-prod',
    deployments: { blue: spec },
  });
  ({ host, prod } = stack);
  await prod.endpoints.setTraffic('fx-prod', { blue: 100 });

  const core = mockFunctionsCore();
  const services = {
    workspaces: { dev: prod, staging: prod, prod: prod },
    authenticate: createAuthenticator({}, tokens),
    config: { environments: { dev: { backend: 'local' }, staging: { backend: 'local' }, prod: { backend: 'local' } } },
  };
  (require('../../../functions/services') as typeof import('../../../functions/services')).provideServices(
    () => services as unknown as Services,
  );
  require('../../../functions/http/logs');
  core.lock();
  const logger = createHostLogger({ minLevel: 'none' });
  server = createHostHttpServer({
    core,
    invoker: new FunctionInvoker(core, logger, undefined),
    routes: new HttpRouteTable(core.byTrigger('httpTrigger'), 'api'),
    keys: loadOrCreateHostKeys(root).keys,
    logger,
    status: () => ({}),
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  await stack?.stop();
});

describe('localMlWorkspace(...).logs.deploymentLogs', () => {
  test("shows what the scoring script printed in init(), time-stamped, after the server's start marker", async () => {
    const logs = await waitFor('the init() print in the deployment log', async () => {
      const read = await prod.logs.deploymentLogs('fx-prod', 'blue');
      return texts(read).includes('loaded model v1 (hi)') ? read : undefined;
    });
    expect(logs.source).toBe('local scoring process');
    expect(texts(logs)[0]).toMatch(/^\[autopilot\] starting the scoring server of deployment 'blue' of endpoint 'fx-prod'/);
    expect(logs.lines.every((l) => l.time !== undefined && !Number.isNaN(Date.parse(l.time)))).toBe(true);
    expect(texts(logs)).not.toContainEqual(expect.stringMatching(/^LISTENING/));
  });

  test('shows the error a failing request printed on stderr, and tail keeps only the newest lines', async () => {
    const response = await fetch(host.scoringUri('fx-prod'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'throw' }),
    });
    expect(response.status).toBe(500);
    // The trace arrives line by line: wait until it is in and the log has stopped growing.
    let previous = '';
    const all = await waitFor('the whole run() failure in the deployment log', async () => {
      const read = await prod.logs.deploymentLogs('fx-prod', 'blue', { tail: 50 });
      const settled = JSON.stringify(read.lines) === previous;
      previous = JSON.stringify(read.lines);
      return settled && texts(read).some((t) => t.startsWith('run() failed: Error: cannot score this')) ? read : undefined;
    });
    // The stack trace follows the message, one line per frame.
    expect(texts(all).at(-1)).toMatch(/^\s+at /);
    expect((await prod.logs.deploymentLogs('fx-prod', 'blue', { tail: 2 })).lines).toEqual(all.lines.slice(-2));
  });

  test('since in the future leaves nothing; a span back from now keeps the recent lines', async () => {
    expect((await prod.logs.deploymentLogs('fx-prod', 'blue', { since: new Date(Date.now() + 60_000).toISOString() })).lines).toEqual([]);
    expect(texts(await prod.logs.deploymentLogs('fx-prod', 'blue', { since: '1h' }))).toContain('loaded model v1 (hi)');
  });

  test('an unknown deployment or endpoint is a NotFoundError naming it; a bad name is refused before any file is read', async () => {
    await expect(prod.logs.deploymentLogs('fx-prod', 'green')).rejects.toThrow(
      new NotFoundError('deployment', 'fx-prod/green', "endpoint 'fx-prod' has blue"),
    );
    await expect(prod.logs.deploymentLogs('nope-prod', 'blue')).rejects.toThrow(NotFoundError);
    await expect(prod.logs.deploymentLogs('fx-prod', '../../etc')).rejects.toThrow(BadRequestError);
    await expect(prod.logs.deploymentLogs('fx-prod', 'blue', { tail: 5001 })).rejects.toThrow(BadRequestError);
  });
});

describe('GET /api/endpoints/{endpoint}/deployments/{deployment}/logs', () => {
  const get = (path: string, principal: string | null = 'local-reader') =>
    fetch(`${base}${path}`, { headers: principal ? { authorization: `Bearer ${tokenOf(principal)}` } : {} });

  test('answers a reader with the lines, their source and the environment taken from the endpoint name', async () => {
    const response = await get('/endpoints/fx-prod/deployments/blue/logs?tail=2&since=1h');
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown> & DeploymentLogs;
    expect(body).toMatchObject({ endpoint: 'fx-prod', deployment: 'blue', environment: 'prod', source: 'local scoring process' });
    expect(body.lines).toHaveLength(2);
  });

  test('refuses a caller without a token (401) and a tail above 5000 (400, naming query.tail)', async () => {
    expect((await get('/endpoints/fx-prod/deployments/blue/logs', null)).status).toBe(401);
    const tooMany = await get('/endpoints/fx-prod/deployments/blue/logs?tail=5001');
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ error: { code: 'BadRequest', where: 'query.tail' } });
    expect((await get('/endpoints/fx-prod/deployments/blue/logs?tail=many')).status).toBe(400);
  });

  test('a deployment that does not exist is a 404 naming it; an endpoint name without environment needs ?environment', async () => {
    const missing = await get('/endpoints/fx-prod/deployments/green/logs');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain("deployment 'fx-prod/green' not found");
    const unnamed = await get('/endpoints/scoring/deployments/blue/logs');
    expect(unnamed.status).toBe(400);
    expect(await unnamed.json()).toMatchObject({ error: { where: 'query.environment' } });
  });
});
