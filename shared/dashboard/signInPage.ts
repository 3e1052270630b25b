import { isKey, type RedeemResult } from '../auth/dashboardSessions';

type Refusal = Extract<RedeemResult, { kind: 'refused' }>['why'] | 'missing';

const WHY: Record<Refusal, string> = {
  missing: 'This sign-in link has no code.',
  unknown: 'This sign-in link is not valid.',
  expired: 'This sign-in link has expired (links work for two minutes).',
  used: 'This sign-in link has already been used (each link works once).',
};

/**
 * The page a refused sign-in link shows: why, and how to get a new link. Static text only
 * (nothing from the request is echoed), no script, so the dashboard's CSP holds.
 */
export function refusedSignInPage(why: Refusal): { status: number; html: string } {
  return {
    status: why === 'expired' || why === 'used' ? 410 : 400,
    html: [
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in link refused · mlops-autopilot</title></head>',
      '<body>',
      '<h1>Sign-in link refused</h1>',
      `<p id="why">${WHY[why]} You are not signed in.</p>`,
      '<p>Run <code>autopilot open</code> again for a new link (<code>--url-only</code> prints it).</p>',
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
