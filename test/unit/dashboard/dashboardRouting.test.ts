import { assetKeyOf } from '../../../shared/dashboard/dashboardHeaders';
import { refusedSignInPage } from '../../../shared/dashboard/signInPage';
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

  it('environmentAtStage puts approval, canary and promote in prod, staging deploys in staging, the rest in dev', () => {
    expect(['validate', 'deploy_staging', 'approval', 'canary', 'promote'].map((s) => environmentAtStage(s as never))).toEqual(['dev', 'staging', 'prod', 'prod', 'prod']);
  });
});
