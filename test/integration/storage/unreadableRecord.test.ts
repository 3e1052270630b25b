import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Services } from '../../../adapters/compose';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvocationContext } from '@azure/functions';
import { ensureLocalTokens } from '../../../adapters/local/tokens';
import { createAuthenticator } from '../../../adapters/auth/authenticator';
import { main } from '../../../cli/main';
import { FunctionInvoker } from '../../../devhost/functionInvoker';
import { createHostHttpServer } from '../../../devhost/hostHttpServer';
import { loadOrCreateHostKeys } from '../../../devhost/hostKeys';
import { HttpRouteTable } from '../../../devhost/httpRouteTable';
import { createHostLogger } from '../../../devhost/logger';
import { parseConfig } from '../../../shared/config/parseConfig';
import type { StateTable } from '../../../shared/ports';
import { ReleaseControl } from '../../../shared/release/releaseControl';
import { ReleaseEngine } from '../../../shared/release/engine';
import { repairRelease } from '../../../shared/release/repair';
import type { Release, StepMessage } from '../../../shared/release/types';
import { InvalidRecordError } from '../../../shared/release/unreadable';
import { mockFunctionsCore } from '../../fakes/functionsCoreModule';
import { FakeWorkspace, fakeRoles, MemoryEvents, MemoryQueue } from '../../unit/release/fakes';
import { useAzuriteStorage } from './azuriteStorage';

/**
 * One release record that no longer parses (a null metric, as NaN used to be stored) in
 * real Table Storage, written raw through the table port. The listing API, the sweeper and
 * every other pipeline go on; the record is reported, answered 409, and repaired by command.
 * Real: Azurite, the table adapter, the function modules behind the local host's HTTP
 * server, the CLI in process. Fakes: the ML workspaces and the step queue (recorders).
 */
const azurite = useAzuriteStorage();
const dir = mkdtempSync(join(tmpdir(), 'unreadable-record-'));
const tokens = ensureLocalTokens(dir);
const tokenOf = (principal: string) =>
  (JSON.parse(readFileSync(tokens.path, 'utf8')) as { tokens: { token: string; principal: string }[] }).tokens.find(
    (t) => t.principal === principal,
  )!.token;

const CONFIG = `version: 1
pipelines:
${['default', 'other']
  .map(
    (p) => `  ${p}:
    data: { prefix: ${p}/, minRows: 20 }
    training: { job: /specs/job.yaml }
    deployment: { spec: /specs/deployment.yaml }
    concurrency: queue
`,
  )
  .join('')}`;

const NOW = new Date('2026-11-28T10:00:00Z');
const PAST = '2026-11-28T09:50:00.000Z';
const POISON = 'default-20261128-094000-aaaaaa';
const QUEUED = 'default-20261128-094500-bbbbbb';
const OTHER = 'other-20261128-094000-cccccc';

const record = (id: string, pipeline: string, status: Release['status'], extra: Partial<Release> = {}): Release => ({
  id,
  pipeline,
  status,
  stage: status === 'queued' ? 'validate' : 'evaluate',
  trigger: { kind: 'blob' },
  metrics: {},
  deployments: {},
  stages: {},
  createdAt: PAST,
  updatedAt: PAST,
  ...extra,
});

const logged: { level: string; message: string }[] = [];
const logger = {
  info: (message: string) => void logged.push({ level: 'info', message }),
  warn: (message: string) => void logged.push({ level: 'warn', message }),
  error: (message: string) => void logged.push({ level: 'error', message }),
};
const steps = new MemoryQueue<StepMessage>();
const events = new MemoryEvents();
const workspaces = fakeRoles({ dev: new FakeWorkspace('dev'), staging: new FakeWorkspace('staging'), prod: new FakeWorkspace('prod') });
const clock = { now: () => NOW };
let table: StateTable;
let engine: ReleaseEngine;
const services: Record<string, unknown> = { authenticate: createAuthenticator({}, tokens), workspaces, events, clock, logger };

let server: Server;
let base: string;

beforeAll(async () => {
  table = azurite.storage().table('poisonrecords');
  const deps = { config: parseConfig(CONFIG), data: undefined as never, table, steps, workspaces, events, clock, logger };
  engine = new ReleaseEngine(deps);
  Object.assign(services, {
    releaseStarts: engine,
    sweeper: engine,
    repair: (id: string, actor: string) => repairRelease(engine, deps, id, actor),
    releases: engine.repo,
    control: new ReleaseControl(deps, engine),
  });

  // The poison: a running release whose candidate accuracy is null (NaN through JSON), written raw.
  const poison = record(POISON, 'default', 'running', { leaseExpiresAt: PAST, job: { name: `${POISON}-train`, status: 'completed' } });
  await table.insert('release', POISON, { ...poison, metrics: { candidate: { accuracy: null, f1: 0.5 }, training: { train_auc: 0.9 } } });
  await table.insert('release', QUEUED, record(QUEUED, 'default', 'queued'));
  await table.insert('pipeline', 'default', { active: POISON, waiting: [QUEUED] });
  await engine.repo.insert(record(OTHER, 'other', 'running', { leaseExpiresAt: PAST }));
  await table.insert('pipeline', 'other', { active: OTHER, waiting: [] });

  const core = mockFunctionsCore();
  (require('../../../functions/services') as typeof import('../../../functions/services')).provideServices(
    () => services as unknown as Services,
  );
  require('../../../functions/http/releases');
  require('../../../functions/http/repair');
  require('../../../functions/sweeper');
  core.lock();
  const hostLogger = createHostLogger({ minLevel: 'none' });
  server = createHostHttpServer({
    core,
    invoker: new FunctionInvoker(core, hostLogger, undefined),
    routes: new HttpRouteTable(core.byTrigger('httpTrigger'), 'api'),
    keys: loadOrCreateHostKeys(dir).keys,
    logger: hostLogger,
    status: () => ({}),
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, path: string, principal = 'local-reader') =>
  fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${tokenOf(principal)}` } });
const PROBLEM = 'metrics.candidate.accuracy: expected number, received null';
async function cli(args: string[], principal: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    env: { AUTOPILOT_URL: base, AUTOPILOT_TOKEN: tokenOf(principal) },
    cwd: dir,
    stdout: { write: (t: string) => void out.push(t) },
    stderr: { write: (t: string) => void err.push(t) },
  };
  const code = await main(['node', 'autopilot', ...args], io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('an unreadable release record in Table Storage', () => {
  test('GET /api/releases lists every readable release of every pipeline and reports the unreadable one apart', async () => {
    const response = await call('GET', '/releases');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { releases: Release[]; unreadable: unknown[] };
    expect(body.releases.map((r) => r.id).sort()).toEqual([QUEUED, OTHER].sort());
    expect(body.unreadable).toEqual([{ id: POISON, pipeline: 'default', error: PROBLEM, repair: `autopilot repair ${POISON}` }]);
    const other = (await (await call('GET', '/releases?pipeline=other')).json()) as { releases: Release[]; unreadable: unknown[] };
    expect(other).toEqual({ releases: [expect.objectContaining({ id: OTHER })], unreadable: [] });
  });

  test('GET /api/releases/{id} of it answers 409 naming the record, the problem and the repair command', async () => {
    const response = await call('GET', `/releases/${POISON}`);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: {
        code: 'UnreadableRecord',
        message: `release record '${POISON}' cannot be read (${PROBLEM}); run \`autopilot repair ${POISON}\` to end it as failed, keeping what still parses`,
      },
    });
  });

  test("the sweeper skips it, logs it once, and still re-drives another pipeline's expired lease", async () => {
    const context = new InvocationContext({ functionName: 'sweeper', logHandler: () => undefined });
    const { onSweep } = require('../../../functions/sweeper') as typeof import('../../../functions/sweeper');
    const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: PAST, next: PAST, lastUpdated: PAST } };
    await onSweep(timer, context);
    await onSweep(timer, context);
    expect(steps.sent.map((s) => s.message)).toContainEqual({ releaseId: OTHER, pipeline: 'other', stage: 'evaluate', reason: 'redrive' });
    expect(steps.sent.filter((s) => s.message.releaseId === POISON)).toEqual([]);
    const reports = logged.filter((l) => l.message.includes(POISON));
    expect(reports).toEqual([
      { level: 'error', message: `release record ${POISON} cannot be read and is skipped until repaired: ${PROBLEM}` },
    ]);
  });

  test('autopilot releases and status show the other releases and warn about it on stderr with the repair command', async () => {
    for (const args of [['releases'], ['status', '--once']]) {
      const { code, stdout, stderr } = await cli(args, 'local-reader');
      expect({ args, code, stderr }).toEqual({
        args,
        code: 0,
        stderr: `warning: release record ${POISON} (pipeline default) cannot be read: ${PROBLEM}; repair it with \`autopilot repair ${POISON}\`\n`,
      });
      expect(stdout).toContain(OTHER);
    }
  });

  test('repair needs an ML engineer', async () => {
    expect((await call('POST', `/releases/${POISON}/repair`, 'local-reader')).status).toBe(403);
    expect((await call('POST', `/releases/${POISON}/repair`, 'local-data-scientist')).status).toBe(403);
    expect((await table.get<Release>('release', POISON))!.value.status).toBe('running');
  });

  test('autopilot repair ends it failed with what was wrong, keeps what parses, frees the slot for the queued release, audited', async () => {
    const { code, stdout, stderr } = await cli(['repair', POISON], 'local-ml-engineer');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(`repair: release ${POISON} is failed at evaluate (record repaired: ${PROBLEM})\n`);

    const repaired = (await engine.repo.get(POISON))!.value;
    expect(repaired).toMatchObject({ status: 'failed', reason: `record repaired: ${PROBLEM}`, endedAt: NOW.toISOString() });
    expect(repaired.metrics).toEqual({ candidate: { f1: 0.5 }, training: { train_auc: 0.9 } });
    expect(repaired.leaseExpiresAt).toBeUndefined();
    expect(await engine.repo.slot('default')).toEqual({ active: QUEUED, waiting: [] });
    expect((await engine.repo.get(QUEUED))!.value.status).toBe('running');
    expect(steps.sent.map((s) => s.message)).toContainEqual({ releaseId: QUEUED, pipeline: 'default', stage: 'validate', reason: 'start' });
    expect((await engine.repo.auditLog(POISON)).map((a) => ({ actor: a.actor, action: a.action, why: a.why, to: a.to }))).toEqual([
      { actor: 'local-ml-engineer', action: 'repair', why: `record repaired: ${PROBLEM}`, to: { status: 'failed', stage: 'evaluate' } },
    ]);
    expect(events.published.map((e) => e.type)).toContain('autopilot.ReleaseFailed');

    const listing = (await (await call('GET', '/releases')).json()) as { releases: Release[]; unreadable: unknown[] };
    expect(listing.unreadable).toEqual([]);
    expect(listing.releases.map((r) => r.id)).toContain(POISON);
    const again = await call('POST', `/releases/${POISON}/repair`, 'local-ml-engineer');
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(
      /can be read \(it is failed\); only an unreadable record needs a repair/,
    );
  });

  test('the repository refuses to write a NaN or infinite metric, so no record it writes can turn unreadable', async () => {
    const id = 'other-20261128-095500-dddddd';
    await expect(engine.repo.insert(record(id, 'other', 'queued', { metrics: { candidate: { auc: Number.NaN } } }))).rejects.toThrow(
      InvalidRecordError,
    );
    expect(await table.get('release', id)).toBeUndefined();
    const { row } = await engine.repo.insert(record(id, 'other', 'queued'));
    const infinite = { ...row.value, metrics: { candidate: { log_loss: Infinity } } };
    await expect(engine.repo.replace(infinite, row.etag)).rejects.toThrow(
      `release record '${id}' was not written: it would not read back (metrics.candidate.log_loss: expected number, received null)`,
    );
    expect((await table.get<Release>('release', id))!.value.metrics).toEqual({});
  });
});
