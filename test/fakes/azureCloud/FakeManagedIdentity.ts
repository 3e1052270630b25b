import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/**
 * The App Service / Functions managed-identity endpoint (`IDENTITY_ENDPOINT` +
 * `IDENTITY_HEADER`, api-version 2019-08-01): what DefaultAzureCredential asks for tokens
 * inside a function app. With it a child process gets tokens with no test-only code path.
 */
export class FakeManagedIdentity {
  /** Resources tokens were asked for, in order. */
  readonly requests: string[] = [];
  private constructor(private readonly server: Server, readonly env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string }) {}

  static async start(): Promise<FakeManagedIdentity> {
    const header = randomBytes(12).toString('hex');
    let identity: FakeManagedIdentity | undefined;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const resource = url.searchParams.get('resource');
      const fail = (status: number, message: string) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ statusCode: status, message }));
      };
      if (req.headers['x-identity-header'] !== header) return fail(401, 'X-IDENTITY-HEADER is missing or wrong');
      if (url.searchParams.get('api-version') !== '2019-08-01') return fail(400, 'api-version must be 2019-08-01');
      if (!resource) return fail(400, 'resource is required');
      identity!.requests.push(resource);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        access_token: `fake-mi-${randomBytes(8).toString('hex')}`,
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource, token_type: 'Bearer',
      }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    identity = new FakeManagedIdentity(server, { IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`, IDENTITY_HEADER: header });
    return identity;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
