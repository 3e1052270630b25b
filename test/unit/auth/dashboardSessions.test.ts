import { DashboardSessions, LOGIN_CODE_TTL_MS, SESSION_TTL_MS } from '../../../shared/auth/dashboardSessions';
import type { Principal } from '../../../shared/auth/rbac';
import { ConcurrencyError } from '../../../shared/errors';
import { MemoryTable } from '../release/fakes';

const engineer: Principal = { name: 'local-ml-engineer', roles: [{ role: 'ml_engineer', environments: ['dev', 'staging', 'prod'] }] };

function setup() {
  let now = Date.parse('2026-12-04T10:00:00Z');
  let n = 0;
  const table = new MemoryTable();
  const sessions = new DashboardSessions({ table, now: () => new Date(now), randomId: () => `id-${String(++n).padStart(20, '0')}` });
  return { sessions, table, advance: (ms: number) => (now += ms) };
}

describe('DashboardSessions', () => {
  it('redeemLoginCode opens a session for the principal the code was issued to, once', async () => {
    const { sessions } = setup();
    const { code } = await sessions.issueLoginCode(engineer);
    const first = await sessions.redeemLoginCode(code);
    expect(first).toMatchObject({
      kind: 'signed-in',
      principal: engineer,
      expiresAt: new Date(Date.parse('2026-12-04T10:00:00Z') + SESSION_TTL_MS),
    });
    expect(await sessions.principalOf((first as { sessionId: string }).sessionId)).toEqual(engineer);
    expect(await sessions.redeemLoginCode(code)).toEqual({ kind: 'refused', why: 'used' });
  });

  it('redeemLoginCode refuses a code past its two minutes and an unknown or malformed one', async () => {
    const { sessions, advance } = setup();
    const { code } = await sessions.issueLoginCode(engineer);
    advance(LOGIN_CODE_TTL_MS);
    expect(await sessions.redeemLoginCode(code)).toEqual({ kind: 'refused', why: 'expired' });
    expect(await sessions.redeemLoginCode('id-99999999999999999999')).toEqual({ kind: 'refused', why: 'unknown' });
    expect(await sessions.redeemLoginCode('../../etc/passwd')).toEqual({ kind: 'refused', why: 'unknown' });
  });

  it('redeemLoginCode lets only one of two instances spend the same code', async () => {
    const { sessions, table } = setup();
    const { code } = await sessions.issueLoginCode(engineer);
    // The other instance marks it used between this one's read and its conditional replace.
    const replace = table.replace.bind(table);
    jest.spyOn(table, 'replace').mockImplementationOnce(async (p, r, v, etag) => {
      await replace(p, r, { ...(v as object), usedAt: 'elsewhere' }, etag);
      return replace(p, r, v, etag);
    });
    expect(await sessions.redeemLoginCode(code)).toEqual({ kind: 'refused', why: 'used' });
    await expect(replace('x', 'y', {}, 'stale')).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('principalOf forgets a session after eight hours and after end()', async () => {
    const { sessions, advance } = setup();
    const opened = (await sessions.redeemLoginCode((await sessions.issueLoginCode(engineer)).code)) as { sessionId: string };
    const other = (await sessions.redeemLoginCode((await sessions.issueLoginCode(engineer)).code)) as { sessionId: string };
    await sessions.end(other.sessionId);
    expect(await sessions.principalOf(other.sessionId)).toBeUndefined();
    advance(SESSION_TTL_MS - 1);
    expect(await sessions.principalOf(opened.sessionId)).toEqual(engineer);
    advance(1);
    expect(await sessions.principalOf(opened.sessionId)).toBeUndefined();
  });
});
