import { assetKeyOf } from '../../../shared/dashboard/dashboardHeaders';
import { confirmSignInPage, refusedSignInPage } from '../../../shared/dashboard/signInPage';
import { environmentAtStage } from '../../../shared/auth/stageEnvironment';

describe('dashboard routing helpers', () => {
  it('assetKeyOf maps the empty path to index.html and keeps every other path as an exact key', () => {
    expect(assetKeyOf(undefined)).toBe('index.html');
    expect(assetKeyOf('')).toBe('index.html');
    expect(assetKeyOf('assets/main-ABC.js')).toBe('assets/main-ABC.js');
    expect(assetKeyOf('/etc/passwd')).toBe('etc/passwd');
  });

  it('refusedSignInPage says why and how to get a new link, with Gone for spent links', () => {
    expect(refusedSignInPage('used')).toMatchObject({ status: 410, html: expect.stringContaining('already been used') });
    expect(refusedSignInPage('expired').html).toContain('autopilot open');
    expect(refusedSignInPage('unknown').status).toBe(400);
  });

  it('refusedSignInPage answers a cross-site sign-in with Forbidden, says the link is still unused, and adds the detail given', () => {
    const page = refusedSignInPage('cross-site', { detail: 'the request came from elsewhere' });
    expect(page.status).toBe(403);
    expect(page.html).toContain('did not use it up');
    expect(page.html).toContain('<p id="detail">Refused because the request came from elsewhere.</p>');
    expect(refusedSignInPage('cross-site').html).not.toContain('id="detail"');
  });

  it('confirmSignInPage embeds only a code-shaped code, in a form that posts it back, with no script', () => {
    const code = 'Abc_def-0123456789xyz';
    expect(confirmSignInPage(code)).toMatchObject({
      status: 200,
      html: expect.stringContaining(`<input type="hidden" name="code" value="${code}">`),
    });
    expect(confirmSignInPage(code).html).not.toContain('<script');
    for (const odd of ['"><script>alert(1)</script>aaaaaaaaaaaaaaaa', 'short', `${'a'.repeat(20)}&x=1`]) {
      const page = confirmSignInPage(odd);
      expect([page.status, page.html.includes(odd)]).toEqual([400, false]);
    }
  });

  it('environmentAtStage puts approval, canary and promote in prod, staging deploys in staging, the rest in dev', () => {
    expect(['validate', 'deploy_staging', 'approval', 'canary', 'promote'].map((s) => environmentAtStage(s as never))).toEqual([
      'dev',
      'staging',
      'prod',
      'prod',
      'prod',
    ]);
  });
});
