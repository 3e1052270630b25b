import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { SignInUnavailableError } from '../../shared/errors';
import { principalFromAppRoles } from '../../shared/auth/appRoles';
import type { Principal } from '../../shared/auth/rbac';

export interface EntraIdSettings {
  /** The directory (tenant) ID that issues the tokens. */
  tenantId: string;
  /** Accepted `aud` values: the app ID URI (api://...) and/or the application (client) ID. */
  audiences: string[];
  /** @default https://login.microsoftonline.com (sovereign clouds and tests set another) */
  authority?: string;
}

/**
 * Bearer tokens Entra ID issued for the API's app registration, checked with jose: RS256
 * signature against the tenant's published keys (fetched, cached, re-fetched for an unknown
 * key id), issuer (v2.0 and v1 forms of the tenant), audience, expiry and not-before (a
 * minute of clock skew). A token that fails is no principal: the caller gets a 401. Keys that
 * cannot be fetched (Entra ID or the network down) throw SignInUnavailableError: a 503 the
 * caller retries, not a 401 that tells them their valid token is wrong.
 */
export class EntraIdTokens {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;
  private readonly issuers: string[];
  /** The key set's host, as an outage names it. */
  private readonly keySetHost: string;

  constructor(private readonly settings: EntraIdSettings) {
    const authority = (settings.authority ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
    const keySet = new URL(`${authority}/${settings.tenantId}/discovery/v2.0/keys`);
    this.keys = createRemoteJWKSet(keySet);
    this.keySetHost = keySet.host;
    // v2.0 access tokens carry the authority's issuer; v1 tokens (accessTokenAcceptedVersion unset) sts.windows.net's.
    this.issuers = [`${authority}/${settings.tenantId}/v2.0`, `https://sts.windows.net/${settings.tenantId}/`];
  }

  async principalFor(token: string | undefined): Promise<Principal | undefined> {
    if (!token) return undefined;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: ['RS256'],
        issuer: this.issuers,
        audience: this.settings.audiences,
        clockTolerance: 60,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      if (isKeySetOutage(error)) throw new SignInUnavailableError(this.keySetHost, outageReason(error));
      return undefined;
    }
    if (payload['tid'] !== undefined && payload['tid'] !== this.settings.tenantId) return undefined;
    return principalFromAppRoles(nameOf(payload), Array.isArray(payload['roles']) ? payload['roles'] : []);
  }
}

/**
 * jose's errors for the key set's fetch, as against the token: a timeout, a non-200 answer
 * (ERR_JOSE_GENERIC from its fetch), a body that is no key set, or a network error (not a
 * JOSEError at all). A token jose cannot even parse fails with JWSInvalid/JWTInvalid instead.
 */
function isKeySetOutage(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === 'ERR_JOSE_GENERIC';
}

/** The reason without the token: jose's messages here name the key set, never the token's content. */
function outageReason(error: unknown): string {
  if (error instanceof errors.JWKSTimeout) return 'timed out';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
}

/** Who the token is for: a user's sign-in name, else the calling application, else its object id. */
function nameOf(payload: JWTPayload): string {
  for (const claim of ['preferred_username', 'upn', 'unique_name', 'azp', 'appid', 'oid', 'sub']) {
    const value = payload[claim];
    if (typeof value === 'string' && value) return value;
  }
  return 'unknown';
}
