import type { AccessToken, TokenCredential } from '@azure/core-auth';

export interface UnsignedJwtOptions {
  /** Overrides the audience taken from the requested scope. @default the scope without `/.default` */
  audience?: string;
  /** @default a fixed test tenant */
  tenantId?: string;
}

/**
 * A credential minting unsigned JWTs shaped like Entra ID access tokens: what Azurite's
 * `--oauth basic` checks (audience, `https://sts.windows.net/<tenant>/` issuer, lifetime),
 * never signatures. The audience follows the requested scope, so a client asking for the
 * wrong scope is refused as it would be in Azure. Records the scopes asked for.
 */
export function unsignedJwtCredential(options: UnsignedJwtOptions = {}): TokenCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    async getToken(requested: string | string[]): Promise<AccessToken> {
      const scope = Array.isArray(requested) ? requested[0]! : requested;
      scopes.push(scope);
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        aud: options.audience ?? scope.replace(/\/\.default$/, ''),
        iss: `https://sts.windows.net/${options.tenantId ?? '72f988bf-0000-0000-0000-000000000001'}/`,
        iat: now - 60,
        nbf: now - 60,
        exp: now + 3600,
        oid: '00000000-0000-0000-0000-00000000beef',
      };
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return { token: `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`, expiresOnTimestamp: (now + 3600) * 1000 };
    },
  };
}
