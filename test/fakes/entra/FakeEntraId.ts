import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from 'jose';
import { closeServer } from '../closeServer';
import { listenLocally } from '../listenLocally';

export const TENANT = '11111111-2222-3333-4444-555555555555';
export const APP_ID = '66666666-7777-8888-9999-000000000000';
export const APP_ID_URI = `api://${APP_ID}`;

/**
 * A local stand-in for an Entra ID tenant's token signing: it publishes its signing keys
 * where Entra publishes them (`{authority}/{tenant}/discovery/v2.0/keys`, a JWKS), and its
 * OpenID configuration (`{authority}/{tenant}/v2.0/.well-known/openid-configuration`), and signs
 * access tokens shaped like Entra's v2.0 tokens (iss `{authority}/{tenant}/v2.0`, aud, tid,
 * roles, RS256 with a `kid`). Tests sign what they need, valid or not.
 */
export class FakeEntraId {
  readonly keysFetched: number[] = [];
  private constructor(
    private readonly server: Server,
    readonly authority: string,
    private readonly key: { privateKey: KeyLike; kid: string },
  ) {}

  static async start(): Promise<FakeEntraId> {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const kid = 'fake-signing-key-1';
    const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
    let fake: FakeEntraId | undefined;
    const server = createServer((req, res) => {
      // The tenant's OpenID configuration, the fields Entra's v2.0 document has that matter here.
      if (req.method === 'GET' && req.url === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
        const base = `${fake!.authority}/${TENANT}`;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            issuer: `${base}/v2.0`,
            jwks_uri: `${base}/discovery/v2.0/keys`,
            authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
            token_endpoint: `${base}/oauth2/v2.0/token`,
            id_token_signing_alg_values_supported: ['RS256'],
            response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
            subject_types_supported: ['pairwise'],
            scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
            tenant_region_scope: 'EU',
          }),
        );
        return;
      }
      // Another tenant id: Entra answers 400 invalid_tenant (AADSTS90002).
      const otherTenant = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(req.url ?? '');
      if (req.method === 'GET' && otherTenant) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: 'invalid_tenant',
            error_description: `AADSTS90002: Tenant '${otherTenant[1]}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
          }),
        );
        return;
      }
      if (req.method === 'GET' && req.url === `/${TENANT}/discovery/v2.0/keys`) {
        fake!.keysFetched.push(Date.now());
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: [jwk] }));
        return;
      }
      res.writeHead(404).end();
    });
    const port = await listenLocally(server);
    fake = new FakeEntraId(server, `http://127.0.0.1:${port}`, { privateKey, kid });
    return fake;
  }

  get issuer(): string {
    return `${this.authority}/${TENANT}/v2.0`;
  }

  /** An access token for the API with `roles`; `claims` and `options` override what makes it valid. */
  async token(
    roles: string[],
    claims: JWTPayload = {},
    options: { key?: KeyLike; kid?: string; expiresIn?: string; notBefore?: string } = {},
  ): Promise<string> {
    let jwt = new SignJWT({ tid: TENANT, roles, preferred_username: 'ana@contoso.example', oid: 'oid-1', ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? this.key.kid })
      .setIssuer(typeof claims.iss === 'string' ? claims.iss : this.issuer)
      .setAudience((claims.aud as string | undefined) ?? APP_ID_URI)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '1h');
    if (options.notBefore) jwt = jwt.setNotBefore(options.notBefore);
    return jwt.sign(options.key ?? this.key.privateKey);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }
}
