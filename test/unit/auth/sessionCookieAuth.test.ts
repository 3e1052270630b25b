import { createAuthenticator } from '../../../adapters/auth/authenticator';
import { CsrfRefusedError, sessionIdFrom } from '../../../adapters/auth/sessionCookie';
import type { Principal } from '../../../shared/auth/rbac';

const scientist: Principal = { name: 'local-data-scientist', roles: [{ role: 'data_scientist', environments: ['dev'] }] };
const engineer: Principal = { name: 'local-ml-engineer', roles: [{ role: 'ml_engineer', environments: ['prod'] }] };
const SESSION = 'session-id-0123456789';

const localTokens = {
  path: 'tokens.json',
  principalFor: (token: string | undefined) => (token === 'engineer-token' ? engineer : undefined),
};
const sessions = { principalOf: async (id: string) => (id === SESSION ? scientist : undefined) };
const authenticate = createAuthenticator({}, localTokens, { sessions });
const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name.toLowerCase()] ?? null });

describe('the authenticator with dashboard sessions', () => {
  it('signs in the session cookie on reads', async () => {
    expect(await authenticate(headers({ cookie: `theme=dark; autopilot_session=${SESSION}` }), { method: 'GET' })).toEqual(scientist);
  });

  it('refuses a cookie-only mutating request without the CSRF header, and accepts it with the header', async () => {
    const cookie = `autopilot_session=${SESSION}`;
    await expect(authenticate(headers({ cookie }), { method: 'POST' })).rejects.toThrow(CsrfRefusedError);
    await expect(authenticate(headers({ cookie }), {})).rejects.toThrow(/must carry the header 'x-autopilot-csrf: 1'/);
    expect(await authenticate(headers({ cookie, 'x-autopilot-csrf': '1' }), { method: 'POST' })).toEqual(scientist);
  });

  it('prefers a valid bearer token to the cookie, and knows nobody from an unknown session', async () => {
    expect(
      await authenticate(headers({ authorization: 'Bearer engineer-token', cookie: `autopilot_session=${SESSION}` }), { method: 'POST' }),
    ).toEqual(engineer);
    expect(await authenticate(headers({ cookie: 'autopilot_session=someone-elses-session' }), { method: 'POST' })).toBeUndefined();
  });

  it('ignores cookies when no session store is configured', async () => {
    expect(
      await createAuthenticator({}, localTokens)(headers({ cookie: `autopilot_session=${SESSION}` }), { method: 'GET' }),
    ).toBeUndefined();
  });

  it('sessionIdFrom finds the session cookie among others', () => {
    expect(sessionIdFrom('a=1; autopilot_session=abc; b=2')).toBe('abc');
    expect(sessionIdFrom('autopilot_sessionx=abc')).toBeUndefined();
    expect(sessionIdFrom(null)).toBeUndefined();
  });
});
