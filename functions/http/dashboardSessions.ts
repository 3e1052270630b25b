import type { HttpRequest } from '@azure/functions';
import { CSRF_HEADER, CsrfRefusedError, SESSION_COOKIE, sessionIdFrom } from '../../adapters/auth/sessionCookie';
import { SESSION_TTL_MS } from '../../shared/auth/dashboardSessions';
import { sameOriginPost } from '../../shared/auth/sameOriginPost';
import { ForbiddenError } from '../../shared/errors';
import { DASHBOARD_SECURITY_HEADERS } from '../../shared/dashboard/dashboardHeaders';
import { confirmSignInPage, refusedSignInPage } from '../../shared/dashboard/signInPage';
import { z } from 'zod';
import { DashboardMeResponse, DashboardSessionResponse, SignedOutResponse } from '../../shared/api/dashboardResponses';
import { browserRoute } from './browserRoute';
import { apiRoute, callerOf } from './respond';

/**
 * `https://host/api` from a request to `https://host/api/dashboard/...`, whatever the route prefix.
 * On Azure the origin is the app's public one (`publicOrigin`), not the request's: the Host header
 * is the caller's to choose, and behind App Service's TLS front end a request may read as http
 * (azure-functions-host#6602), which would make the link http and the cookie not Secure.
 */
function apiBaseOf(request: HttpRequest, publicOrigin: string | undefined): { origin: string; base: string; secure: boolean } {
  const url = new URL(request.url);
  const origin = publicOrigin ?? url.origin;
  return {
    origin,
    base: url.pathname.replace(/\/dashboard(\/.*)?$/i, ''),
    secure: url.protocol === 'https:' || origin.startsWith('https:'),
  };
}

function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean) {
  return { name: SESSION_COOKIE, value, path: '/', httpOnly: true, sameSite: 'Strict' as const, secure, maxAge: maxAgeSeconds };
}

/** Any caller signed in otherwise than by a dashboard session (the CLI's `autopilot open`) gets a one-time sign-in link for the dashboard. */
apiRoute(
  'createDashboardSession',
  {
    route: 'dashboard/sessions',
    method: 'POST',
    action: 'read',
    summary: 'A one-time link (two minutes, single use) that signs the caller in to the dashboard; what `autopilot open` asks for.',
    description: 'Refused (403) to a caller signed in only by a dashboard session: a session cannot renew itself.',
    responses: { 201: { description: 'The link', json: DashboardSessionResponse } },
  },
  async (request, s, caller) => {
    // A session must not mint its own successors: it would outlive its eight hours for ever. Ask
    // who the caller is without the cookie: a mere Authorization header (junk) beside it is not enough.
    const withoutCookie = { get: (name: string) => (name.toLowerCase() === 'cookie' ? null : request.headers.get(name)) };
    if (sessionIdFrom(request.headers.get('cookie')) && !(await s.authenticate(withoutCookie, { method: request.method }))) {
      throw new ForbiddenError(caller!.name, 'make a sign-in link from a dashboard session (the CLI makes them: autopilot open)');
    }
    const { code, expiresAt } = await s.dashboard.sessions.issueLoginCode(caller!);
    const { origin, base } = apiBaseOf(request, s.dashboard.publicOrigin);
    return { status: 201 as const, jsonBody: { url: `${origin}${base}/dashboard/login?code=${code}`, expiresAt: expiresAt.toISOString() } };
  },
);

const LoginCode = z.object({
  code: z.string().optional().meta({ description: 'The one-time code of a link from POST /api/dashboard/sessions.' }),
});
const NO_STORE_HEADERS = { 'cache-control': 'no-store', ...DASHBOARD_SECURITY_HEADERS };
const PAGE_HEADERS = { ...NO_STORE_HEADERS, 'content-type': 'text/html; charset=utf-8' };
/**
 * `no-referrer` would make the browser send `Origin: null` with the form's POST, which the
 * same-origin check must refuse; `same-origin` still sends nothing (not even the code in this
 * page's URL) to any other site, and the page loads nothing from one anyway (CSP).
 */
const CONFIRM_PAGE_HEADERS = { ...PAGE_HEADERS, 'referrer-policy': 'same-origin' };

/**
 * Opening the link only asks to confirm: a GET spends nothing, so a chat unfurler or mail
 * scanner that fetches a pasted link neither burns the code nor receives the session cookie.
 */
browserRoute(
  'dashboardLoginPage',
  {
    route: 'dashboard/login',
    method: 'GET',
    query: LoginCode,
    summary: 'What a one-time sign-in link opens: a page with a Sign in button that POSTs the code back. Spends nothing.',
    description: 'A missing or malformed code answers a page with 400.',
    responses: { 200: { description: 'The confirmation page', text: 'text/html' } },
  },
  async (request) => {
    const code = request.query.get('code');
    const page = code ? confirmSignInPage(code) : refusedSignInPage('missing');
    return { status: page.status, headers: page.status === 200 ? CONFIRM_PAGE_HEADERS : PAGE_HEADERS, body: page.html };
  },
);

/** Spends the code the confirmation page posts: sets the session cookie and goes to the dashboard, or says why not. */
browserRoute(
  'dashboardLogin',
  {
    route: 'dashboard/login',
    method: 'POST',
    formBody: LoginCode,
    summary:
      'Spends a one-time sign-in code: sets the session cookie (HttpOnly, SameSite=Strict, 8 h) and redirects (303) to the dashboard.',
    description:
      'Only from the confirmation page itself: a POST that another site sent (Sec-Fetch-Site, else Origin, not same-origin) answers a page with 403 and spends nothing (login CSRF). A missing or unknown code answers a page with 400, a used or expired one a page with 410.',
    errors: [403],
    responses: { 303: { description: 'Signed in: to /api/dashboard/' } },
  },
  async (request, s) => {
    const { origin, base, secure } = apiBaseOf(request, s.dashboard.publicOrigin);
    const from = sameOriginPost(request.headers, origin);
    if (!from.sameOrigin) {
      const page = refusedSignInPage('cross-site', { detail: from.why });
      return { status: page.status, headers: PAGE_HEADERS, body: page.html };
    }
    // A browser form's body; anything unreadable is simply no code (answered by the refusal page).
    const code = new URLSearchParams(await request.text()).get('code');
    const result = code ? await s.dashboard.sessions.redeemLoginCode(code) : { kind: 'refused' as const, why: 'missing' as const };
    if (result.kind === 'refused') {
      const page = refusedSignInPage(result.why);
      return { status: page.status, headers: PAGE_HEADERS, body: page.html };
    }
    return {
      status: 303,
      headers: { ...NO_STORE_HEADERS, location: `${base}/dashboard/` },
      cookies: [sessionCookie(result.sessionId, Math.floor(SESSION_TTL_MS / 1000), secure)],
    };
  },
);

/** Who is signed in (principal null when nobody), and how to sign in. */
apiRoute(
  'dashboardMe',
  {
    route: 'dashboard/me',
    method: 'GET',
    action: 'anonymous',
    summary: 'Who the caller is signed in as (principal null when nobody), and how to sign in.',
    responses: { 200: { description: 'The principal', json: DashboardMeResponse } },
  },
  async (request, s) => {
    const principal = (await callerOf(request, s)) ?? null;
    return {
      headers: { 'cache-control': 'no-store' },
      jsonBody: { principal, signIn: s.dashboard.appServiceLogin ? { appServiceLogin: s.dashboard.appServiceLogin } : {} },
    };
  },
);

/** Ends the cookie's session everywhere and clears the cookie. */
apiRoute(
  'dashboardSignOut',
  {
    route: 'dashboard/signout',
    method: 'POST',
    action: 'anonymous',
    summary: 'Ends the dashboard session everywhere and clears its cookie (needs `x-autopilot-csrf: 1`).',
    errors: [403],
    responses: { 200: { description: 'Signed out', json: SignedOutResponse } },
  },
  async (request, s) => {
    if (request.headers.get(CSRF_HEADER) !== '1') throw new CsrfRefusedError('POST');
    const sessionId = sessionIdFrom(request.headers.get('cookie'));
    if (sessionId) await s.dashboard.sessions.end(sessionId);
    return {
      status: 200 as const,
      jsonBody: { signedOut: true },
      cookies: [sessionCookie('', 0, apiBaseOf(request, s.dashboard.publicOrigin).secure)],
    };
  },
);
