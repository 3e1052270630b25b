import { isKey, type RedeemResult } from '../auth/dashboardSessions';

/** Why a sign-in is refused: what redeeming said, no code at all, or a POST another site sent. */
export type Refusal = Extract<RedeemResult, { kind: 'refused' }>['why'] | 'missing' | 'cross-site';

const NEW_LINK = '<p>Run <code>autopilot open</code> again for a new link (<code>--url-only</code> prints it).</p>';

const REFUSALS: Record<Refusal, { status: number; why: string; next: string }> = {
  missing: { status: 400, why: 'This sign-in link has no code.', next: NEW_LINK },
  unknown: { status: 400, why: 'This sign-in link is not valid.', next: NEW_LINK },
  expired: { status: 410, why: 'This sign-in link has expired (links work for two minutes).', next: NEW_LINK },
  used: { status: 410, why: 'This sign-in link has already been used (each link works once).', next: NEW_LINK },
  // Login CSRF: another site posted a code (maybe its own, to sign you in as someone else).
  'cross-site': {
    status: 403,
    why: 'This sign-in was sent by another site or program, not by the page your sign-in link opens.',
    next: '<p>Open your sign-in link yourself and press <b>Sign in</b> there (this attempt did not use it up).</p>',
  },
};

export interface RefusedSignInPageOptions {
  /**
   * One more sentence for whoever debugs it (e.g. a proxy that rewrites Origin). Our own text
   * only, never the request's: it goes into the page as is. @default none
   */
  detail?: string;
}

/**
 * The page a refused sign-in shows: why, and what to do next. Static text only (nothing from
 * the request is echoed), no script, so the dashboard's CSP holds.
 */
export function refusedSignInPage(refusal: Refusal, options: RefusedSignInPageOptions = {}): { status: number; html: string } {
  const { status, why, next } = REFUSALS[refusal];
  return {
    status,
    html: [
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in link refused · mlops-autopilot</title></head>',
      '<body>',
      '<h1>Sign-in link refused</h1>',
      `<p id="why">${why} You are not signed in.</p>`,
      ...(options.detail ? [`<p id="detail">Refused because ${options.detail}.</p>`] : []),
      next,
      '</body></html>',
      '',
    ].join('\n'),
  };
}

/**
 * What opening a sign-in link shows: a button that POSTs the code back. A GET spends nothing, so
 * a chat unfurler or mail scanner that fetches a pasted link neither burns it nor gets the
 * cookie. Plain form, no script (the CSP allows `form-action 'self'`). It does not say whose
 * link it is: that would cost a table read per fetch and tell a link preview who the code is for.
 * The code is embedded only when it has a code's shape (letters, digits, `-`, `_`), so nothing
 * else from the request reaches the page.
 */
export function confirmSignInPage(code: string): { status: number; html: string } {
  if (!isKey(code)) return refusedSignInPage('unknown');
  return {
    status: 200,
    html: [
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">',
      '<title>Sign in · mlops-autopilot</title></head>',
      '<body>',
      '<h1>Sign in to mlops-autopilot</h1>',
      '<form method="post" action="login">',
      `<input type="hidden" name="code" value="${code}">`,
      '<button type="submit">Sign in</button>',
      '</form>',
      '<p>The link works once, for two minutes.</p>',
      '</body></html>',
      '',
    ].join('\n'),
  };
}
