import type { RedeemResult } from '../auth/dashboardSessions';

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
