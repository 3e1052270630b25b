import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator } from '../../../adapters/auth/authenticator';
import { ensureLocalTokens } from '../../../adapters/local/tokens';
import { loadOrCreateHostKeys } from '../../../devhost/hostKeys';
import { DashboardSessions } from '../../../shared/auth/dashboardSessions';
import type { Services } from '../../../adapters/compose';
import { mockFunctionsCore } from '../../fakes/functionsCoreModule';
import { serveInProcess } from '../../fakes/inProcessHost';
import { localTokenOf } from '../../fakes/localTokenOf';
import { deadLetter, listDeadLetters, redeliverDeadLetter } from '../../../shared/notifications/deadLetters';
import type { NotificationJob } from '../../../shared/notifications/notificationJob';
import { sentKey } from '../../../shared/notifications/webhookDelivery';
import { releaseEvent } from '../notifications/fixtures';
import { MemoryQueue, MemoryTable } from '../release/fakes';

/** functions/http/dashboardSessions.ts behind the local host's HTTP server, attacked as a hostile or careless client would. */
const dir = mkdtempSync(join(tmpdir(), 'sign-in-attacks-'));
const tokens = ensureLocalTokens(dir);
let n = 0;
const sessions = new DashboardSessions({
  table: new MemoryTable(),
  now: () => new Date('2026-12-04T10:00:00Z'),
  randomId: () => `id-${String(++n).padStart(20, '0')}`,
});
const queue = new MemoryQueue<NotificationJob>();
const table = new MemoryTable();
const fakeServices: { dashboard: { sessions: DashboardSessions; publicOrigin?: string; assetsDir?: string }; [other: string]: unknown } = {
  dashboard: { sessions },
  authenticate: createAuthenticator({}, tokens, { sessions }),
  notifications: {
    deadLetters: (o: { limit?: number }) => listDeadLetters(table, o),
    redeliver: (id: string) => redeliverDeadLetter(table, queue, id, sentKey),
  },
  releases: { audit: async () => undefined },
  clock: { now: () => new Date('2026-12-04T10:00:00Z') },
};
const tokenOf = (principal: string): string => localTokenOf(tokens.path, principal);

let host: { base: string; close(): Promise<void> } | undefined;
beforeAll(async () => {
  const core = mockFunctionsCore();
  (require('../../../functions/services') as typeof import('../../../functions/services')).provideServices(
    () => fakeServices as unknown as Services,
  );
  // A dashboard build of one page, beside a file it must never serve.
  mkdirSync(join(dir, 'dist'));
  writeFileSync(
    join(dir, 'dist/manifest.json'),
    JSON.stringify({ files: { 'index.html': { contentType: 'text/html; charset=utf-8', immutable: false } } }),
  );
  writeFileSync(join(dir, 'dist/index.html'), '<!doctype html><title>dashboard</title>');
  writeFileSync(join(dir, 'secret.txt'), 'SECRET-FILE');
  fakeServices.dashboard.assetsDir = join(dir, 'dist');
  require('../../../functions/http/dashboardSessions');
  require('../../../functions/http/dashboard');
  require('../../../functions/http/notifications');
  core.lock();
  host = await serveInProcess(core, loadOrCreateHostKeys(dir).keys);
});
afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, headers: Record<string, string>) =>
  fetch(`${host!.base}/api/${path}`, { method: 'POST', headers, redirect: 'manual' });
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${host!.base}/api/${path}`, { headers, redirect: 'manual' });
/** What the confirmation page's Sign in button sends: the code as a form, from our own origin (headers as Chromium sets them). */
const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };
const submit = (code: string, headers: Record<string, string> = SAME_ORIGIN, path = 'dashboard/login') =>
  fetch(`${host!.base}/api/${path}`, { method: 'POST', headers, body: new URLSearchParams({ code }), redirect: 'manual' });

async function linkFor(principal: string): Promise<string> {
  const made = await post('dashboard/sessions', { authorization: `Bearer ${tokenOf(principal)}` });
  expect(made.status).toBe(201);
  return ((await made.json()) as { url: string }).url;
}

const codeFor = async (principal: string): Promise<string> => new URL(await linkFor(principal)).searchParams.get('code')!;

async function signIn(principal: string): Promise<string> {
  const login = await submit(await codeFor(principal));
  expect(login.status).toBe(303);
  return /autopilot_session=([^;]*)/.exec(login.headers.get('set-cookie') ?? '')![1]!;
}

describe('the dashboard sign-in under attack', () => {
  test('a session cannot mint its own successor by adding a junk Authorization header', async () => {
    const cookie = `autopilot_session=${await signIn('local-reader')}`;
    for (const authorization of ['Bearer not-a-token', 'Basic Zm9vOmJhcg==', 'x']) {
      const renewed = await post('dashboard/sessions', { cookie, authorization, 'x-autopilot-csrf': '1' });
      expect(renewed.status).toBe(403);
    }
    // A real token beside the cookie is the CLI's case: allowed.
    expect((await post('dashboard/sessions', { cookie, authorization: `Bearer ${tokenOf('local-reader')}` })).status).toBe(201);
  });

  test('on Azure the link takes the public origin, never the Host header, and the cookie is Secure though the request read as http', async () => {
    fakeServices.dashboard.publicOrigin = 'https://autopilot.example.net';
    try {
      const made = await post('dashboard/sessions', { authorization: `Bearer ${tokenOf('local-reader')}`, host: 'evil.example' });
      const url = new URL(((await made.json()) as { url: string }).url);
      expect(url.origin).toBe('https://autopilot.example.net');
      expect(url.pathname).toBe('/api/dashboard/login');
      const code = url.searchParams.get('code')!;
      // The page at the public origin posts with that Origin; the request's own (http) origin is not ours.
      expect((await submit(code, { origin: host!.base })).status).toBe(403);
      const login = await submit(code, { origin: 'https://autopilot.example.net' });
      expect(login.status).toBe(303);
      expect(login.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    } finally {
      delete fakeServices.dashboard.publicOrigin;
    }
  });

  test('two concurrent redemptions of one code open exactly one session', async () => {
    const code = await codeFor('local-ml-engineer');
    const answers = await Promise.all([submit(code), submit(code), submit(code)]);
    expect(answers.map((a) => a.status).sort()).toEqual([303, 410, 410]);
  });

  test('the login redirect goes only to the dashboard, whatever the request adds', async () => {
    for (const extra of ['?next=https://evil.example/', '?redirect=//evil.example', '?location=%2F%2Fevil.example']) {
      const login = await submit(
        await codeFor('local-reader'),
        { ...SAME_ORIGIN, host: 'evil.example', 'x-forwarded-host': 'evil.example' },
        `dashboard/login${extra}`,
      );
      expect(login.status).toBe(303);
      expect(login.headers.get('location')).toBe('/api/dashboard/');
      const cookie = login.headers.get('set-cookie')!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      expect(cookie).toMatch(/Path=\//i);
    }
  });

  test('a forged cookie, a signed-out session and a cookie-only sign-out without the CSRF header', async () => {
    expect(
      ((await (await get('dashboard/me', { cookie: 'autopilot_session=id-00000000000000000999' })).json()) as { principal: unknown })
        .principal,
    ).toBeNull();
    const cookie = `autopilot_session=${await signIn('local-ml-engineer')}`;
    expect((await post('dashboard/signout', { cookie })).status).toBe(403);
    expect(((await (await get('dashboard/me', { cookie })).json()) as { principal: { name: string } }).principal.name).toBe(
      'local-ml-engineer',
    );
    expect((await post('dashboard/signout', { cookie, 'x-autopilot-csrf': '1' })).status).toBe(200);
    expect(((await (await get('dashboard/me', { cookie })).json()) as { principal: unknown }).principal).toBeNull();
    expect((await post('dashboard/sessions', { cookie, 'x-autopilot-csrf': '1' })).status).toBe(401);
  });

  test('opening the link (a GET, as a link previewer does) shows a Sign in form, sets no cookie and spends nothing; the POST spends it once', async () => {
    const code = await codeFor('local-reader');
    for (let i = 0; i < 2; i++) {
      const page = await get(`dashboard/login?code=${code}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('set-cookie')).toBeNull();
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");
      expect(page.headers.get('referrer-policy')).toBe('same-origin');
      const html = await page.text();
      expect(html).toContain('<form method="post" action="login">');
      expect(html).toContain(`<input type="hidden" name="code" value="${code}">`);
      expect(html).not.toContain('<script');
    }
    const login = await submit(code);
    expect([login.status, login.headers.get('location')]).toEqual([303, '/api/dashboard/']);
    expect(login.headers.get('set-cookie')).toMatch(/^autopilot_session=id-/);
    const again = await submit(code);
    expect(again.status).toBe(410);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.text()).toContain('already been used');
    // The page still opens for a spent code: it cannot tell without a table read (see confirmSignInPage).
    expect((await get(`dashboard/login?code=${code}`)).status).toBe(200);
  });

  test('a sign-in POST another site sends is refused with 403 and spends nothing (login CSRF)', async () => {
    const code = await codeFor('local-data-scientist');
    const forgeries: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'none' },
      { 'sec-fetch-site': 'cross-site', origin: host!.base }, // Sec-Fetch-Site decides when the browser sends it
      { origin: 'https://evil.example' },
      { origin: 'null' },
      {},
    ];
    for (const headers of forgeries) {
      const refused = await submit(code, headers);
      expect([headers, refused.status, refused.headers.get('set-cookie')]).toEqual([headers, 403, null]);
      const page = await refused.text();
      expect(page).toContain('sent by another site');
      expect(page).toMatch(/id="detail">Refused because .*(Sec-Fetch-Site|Origin)/);
      expect(page).not.toContain('evil.example');
    }
    // The code is still good, from our own origin (a browser without Sec-Fetch-Site sends only Origin).
    expect((await submit(code, { origin: host!.base })).status).toBe(303);
  });

  test('refusal pages do not echo the code', async () => {
    const page = await get('dashboard/login?code=%3Cscript%3Ealert(1)%3C%2Fscript%3E-aaaaaaaaaaaaaaaa');
    expect(page.status).toBe(400);
    expect(await page.text()).not.toContain('<script>');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('odd paths under /api/dashboard/ find nothing outside the build, and every answer carries the security headers', async () => {
    for (const path of [
      '..%2fsecret.txt',
      '%2e%2e/secret.txt',
      '..%5csecret.txt',
      'index.html%00',
      '__proto__',
      'constructor',
      '%2f%2fevil.example',
      'manifest.json',
    ]) {
      const answer = await get(`dashboard/${path}`);
      expect([404, 302]).toContain(answer.status);
      if (answer.status === 302) expect(answer.headers.get('location')).toMatch(/^\/api\/dashboard\//);
      expect(await answer.text()).not.toContain('SECRET-FILE');
      // '%2e%2e/' is resolved by URL parsing to /api/secret.txt: no route, the host's own 404.
      if (path.startsWith('%2e%2e')) continue;
      expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const bare = await get('dashboard');
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('/api/dashboard/');
    expect((await get('dashboard/')).status).toBe(200);
  });

  test("a data scientist's session cannot do an ML engineer's action; an ML engineer's needs the CSRF header", async () => {
    const job: NotificationJob = { pipeline: 'default', webhook: 'chat', kind: 'failed', event: releaseEvent('ReleaseFailed'), attempt: 8 };
    const letter = await deadLetter(table, job, {
      target: 'https://hooks.example/…',
      format: 'slack',
      problem: 'HTTP 503',
      at: new Date('2026-12-04T09:00:00Z'),
    });
    const redeliver = `notifications/dead-letters/${letter.id}/redeliver`;
    const scientist = `autopilot_session=${await signIn('local-data-scientist')}`;
    expect((await post(redeliver, { cookie: scientist, 'x-autopilot-csrf': '1' })).status).toBe(403);
    const engineer = `autopilot_session=${await signIn('local-ml-engineer')}`;
    const forged = await post(redeliver, { cookie: engineer });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('x-autopilot-csrf');
    expect(queue.sent).toHaveLength(0);
    expect((await post(redeliver, { cookie: engineer, 'x-autopilot-csrf': '1' })).status).toBe(202);
    expect(queue.sent).toHaveLength(1);
  });
});
