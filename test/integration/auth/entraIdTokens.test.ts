import { generateKeyPair, UnsecuredJWT } from 'jose';
import { appServicePrincipal } from '../../../adapters/auth/appServicePrincipal';
import { createAuthenticator } from '../../../adapters/auth/authenticator';
import { EntraIdTokens } from '../../../adapters/auth/entraIdTokens';
import { settingsFrom } from '../../../adapters/settings';
import { can } from '../../../shared/auth/rbac';
import { SignInUnavailableError } from '../../../shared/errors';
import { createServer } from 'node:http';
import { APP_ID, APP_ID_URI, FakeEntraId, TENANT } from '../../fakes/entra/FakeEntraId';

let entra: FakeEntraId;
let tokens: EntraIdTokens;

beforeAll(async () => {
  entra = await FakeEntraId.start();
  tokens = new EntraIdTokens({ tenantId: TENANT, audiences: [APP_ID_URI, APP_ID], authority: entra.authority });
});
afterAll(() => entra?.stop());

describe('Entra ID bearer tokens for the API', () => {
  it('maps each app role to its role and environments', async () => {
    const engineer = await tokens.principalFor(await entra.token(['MLEngineer.Prod']));
    expect(engineer).toEqual({ name: 'ana@contoso.example', roles: [{ role: 'ml_engineer', environments: ['prod'] }] });
    expect(can(engineer!, 'release:rollback', 'prod')).toBe(true);
    expect(can(engineer!, 'release:rollback', 'staging')).toBe(false);
    const scientist = await tokens.principalFor(await entra.token(['DataScientist.Dev']));
    expect(can(scientist!, 'release:start', 'dev')).toBe(true);
    expect(can(scientist!, 'release:approve', 'prod')).toBe(false);
    const reader = await tokens.principalFor(await entra.token(['Reader']));
    expect([can(reader!, 'read'), can(reader!, 'release:start', 'dev')]).toEqual([true, false]);
    // Signed in, but assigned no role of this app: known, allowed nothing.
    expect(await tokens.principalFor(await entra.token(['SomeOtherApp.Admin']))).toEqual({ name: 'ana@contoso.example', roles: [] });
    // An application (client credentials) is named by its client id.
    const app = await tokens.principalFor(await entra.token(['Reader'], { preferred_username: undefined, azp: 'ci-pipeline-client' }));
    expect(app?.name).toBe('ci-pipeline-client');
    // The client id as audience (v2.0 tokens) is accepted too.
    expect(await tokens.principalFor(await entra.token(['Reader'], { aud: APP_ID }))).toBeDefined();
  });

  it('refuses a wrong audience, a wrong issuer, another tenant, an expired or not-yet-valid token, a bad signature and alg none', async () => {
    const other = await generateKeyPair('RS256');
    const refused = {
      audience: await entra.token(['Reader'], { aud: 'api://some-other-api' }),
      issuer: await entra.token(['Reader'], { iss: 'https://login.microsoftonline.com/99999999-0000-0000-0000-000000000000/v2.0' }),
      tenant: await entra.token(['Reader'], { tid: '99999999-0000-0000-0000-000000000000' }),
      expired: await entra.token(['Reader'], {}, { expiresIn: '-5 minutes' }),
      notYetValid: await entra.token(['Reader'], {}, { notBefore: '10 minutes' }),
      // Signed by another key under the tenant's key id.
      signature: await entra.token(['MLEngineer.Prod'], {}, { key: other.privateKey }),
      unsigned: new UnsecuredJWT({ tid: TENANT, roles: ['MLEngineer.Prod'] })
        .setIssuer(entra.issuer)
        .setAudience(APP_ID_URI)
        .setIssuedAt()
        .setExpirationTime('1h')
        .encode(),
      garbage: 'not.a.token',
    };
    const results = Object.fromEntries(
      await Promise.all(Object.entries(refused).map(async ([why, token]) => [why, await tokens.principalFor(token)])),
    );
    expect(results).toEqual(Object.fromEntries(Object.keys(refused).map((why) => [why, undefined])));
  });

  it('fetches the signing keys once, not per request', async () => {
    const fresh = new EntraIdTokens({ tenantId: TENANT, audiences: [APP_ID_URI], authority: entra.authority });
    const before = entra.keysFetched.length;
    for (let i = 0; i < 5; i++) expect(await fresh.principalFor(await entra.token(['Reader']))).toBeDefined();
    expect(entra.keysFetched.length - before).toBe(1);
  });
});

describe('the authenticator built from app settings', () => {
  const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name.toLowerCase()] ?? null });

  it('in Azure Functions without sign-in settings refuses every call naming the settings, and never falls back to anything', async () => {
    const authenticate = createAuthenticator(settingsFrom({ WEBSITE_INSTANCE_ID: 'x' }), undefined);
    await expect(authenticate(headers({ authorization: `Bearer ${await entra.token(['Reader'])}` }))).rejects.toThrow(
      /set AUTOPILOT_ENTRA_TENANT_ID and AUTOPILOT_ENTRA_AUDIENCE/,
    );
    expect(() => settingsFrom({ AUTOPILOT_ENTRA_TENANT_ID: TENANT })).toThrow(
      /AUTOPILOT_ENTRA_AUDIENCE: is not set: Entra ID sign-in needs both/,
    );
  });

  it('trusts the App Service principal header only when told App Service authentication is on', async () => {
    const claims = {
      auth_typ: 'aad',
      name_typ: 'preferred_username',
      role_typ: 'roles',
      claims: [
        { typ: 'preferred_username', val: 'bo@contoso.example' },
        { typ: 'roles', val: 'MLEngineer.Staging' },
      ],
    };
    const header = Buffer.from(JSON.stringify(claims)).toString('base64');
    expect(appServicePrincipal(header)).toEqual({
      name: 'bo@contoso.example',
      roles: [{ role: 'ml_engineer', environments: ['staging'] }],
    });
    const entraOnly = createAuthenticator(
      settingsFrom({ AUTOPILOT_ENTRA_TENANT_ID: TENANT, AUTOPILOT_ENTRA_AUDIENCE: APP_ID_URI, AUTOPILOT_ENTRA_AUTHORITY: entra.authority }),
      undefined,
    );
    expect(await entraOnly(headers({ 'x-ms-client-principal': header }))).toBeUndefined();
    const behindAppService = createAuthenticator(settingsFrom({ AUTOPILOT_TRUST_APP_SERVICE_AUTH: 'true' }), undefined);
    expect((await behindAppService(headers({ 'x-ms-client-principal': header })))?.name).toBe('bo@contoso.example');
  });

  it('says sign-in is unavailable (503), not that a valid token is wrong (401), when the signing keys cannot be fetched', async () => {
    const token = await entra.token(['MLEngineer.Prod']);
    // Entra ID answering 500, then nothing listening at all.
    const failing = createServer((_req, res) => res.writeHead(500).end('upstream trouble'));
    await new Promise<void>((done) => failing.listen(0, '127.0.0.1', done));
    const port = (failing.address() as { port: number }).port;
    const erroring = new EntraIdTokens({ tenantId: TENANT, audiences: [APP_ID_URI], authority: `http://127.0.0.1:${port}` });
    await expect(erroring.principalFor(token)).rejects.toThrow(SignInUnavailableError);
    await new Promise((done) => failing.close(done));
    const unreachable = new EntraIdTokens({ tenantId: TENANT, audiences: [APP_ID_URI], authority: `http://127.0.0.1:${port}` });
    const outage = await unreachable.principalFor(token).catch((error: unknown) => error);
    expect(outage).toBeInstanceOf(SignInUnavailableError);
    expect(String(outage)).toMatch(
      /sign-in is unavailable: the signing keys of 127\.0\.0\.1:\d+ could not be fetched \(ECONNREFUSED\); try again/,
    );
    expect(String(outage)).not.toContain(token.slice(-20));
    // A token that is not even a JWT is still the caller's problem, keys or no keys.
    expect(await unreachable.principalFor('not.a.token')).toBeUndefined();
  });
});
