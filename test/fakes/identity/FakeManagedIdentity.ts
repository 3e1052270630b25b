import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { closeServer } from '../closeServer';
import { listenLocally } from '../listenLocally';

/** One token request as the endpoint saw it (the secret header is only checked, not kept). */
export interface TokenRequest {
  resource: string;
  apiVersion: string;
  clientId?: string;
  /** Whether `X-IDENTITY-HEADER` carried the right secret. */
  headerOk: boolean;
}

export interface FakeManagedIdentityOptions {
  /** Extra claims of the tokens handed out (the doctor reads `oid` to name the principal). @default { oid: random uuid } */
  claims?: Record<string, unknown>;
  /** Tenant in the issuer claim. @default a fixed test tenant */
  tenantId?: string;
}

/**
 * The App Service / Functions managed identity endpoint (api-version 2019-08-01): set its `env`
 * on a child process and `DefaultAzureCredential` there gets tokens from it, through exactly
 * the code path it takes in Azure, with no test hook in the product.
 */
export class FakeManagedIdentity {
  readonly requests: TokenRequest[] = [];
  /** Every token handed out, so a test can assert none of them reaches the output. */
  readonly issued: string[] = [];
  private constructor(
    private readonly server: Server,
    readonly env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string },
  ) {}

  static async start(options: FakeManagedIdentityOptions = {}): Promise<FakeManagedIdentity> {
    const secret = randomUUID();
    const claims = { oid: randomUUID(), ...options.claims };
    const issuer = `https://sts.windows.net/${options.tenantId ?? '72f988bf-0000-0000-0000-0000000000aa'}/`;
    let fake: FakeManagedIdentity | undefined;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const resource = url.searchParams.get('resource') ?? '';
      const apiVersion = url.searchParams.get('api-version') ?? '';
      const headerOk = req.headers['x-identity-header'] === secret;
      const clientId = url.searchParams.get('client_id') ?? undefined;
      fake!.requests.push({ resource, apiVersion, headerOk, ...(clientId ? { clientId } : {}) });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'GET' || url.pathname !== '/msi/token') return send(404, { error: 'not_found' });
      if (!headerOk) return send(401, { error: 'invalid_request', error_description: 'X-IDENTITY-HEADER missing or wrong' });
      if (apiVersion !== '2019-08-01' || !resource)
        return send(400, { error: 'invalid_request', error_description: 'api-version 2019-08-01 and resource are required' });
      // Shaped like an Entra ID access token for `resource`: what Azurite's `--oauth basic` checks (aud, iss, lifetime).
      const now = Math.floor(Date.now() / 1000);
      const token = unsignedJwt({ aud: resource, iss: issuer, iat: now - 60, nbf: now - 60, exp: now + 3600, ...claims });
      fake!.issued.push(token);
      send(200, {
        access_token: token,
        expires_on: String(now + 3600),
        resource,
        token_type: 'Bearer',
        client_id: clientId ?? randomUUID(),
      });
    });
    const port = await listenLocally(server);
    fake = new FakeManagedIdentity(server, { IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`, IDENTITY_HEADER: secret });
    return fake;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }
}

/** A JWT-shaped token (header.payload.) whose claims a client may read; no signature, nothing verifies it. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}
