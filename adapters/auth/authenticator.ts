import type { Principal } from '../../shared/auth/rbac';
import { ConfigError } from '../../shared/errors';
import type { LocalTokens } from '../local/tokens';
import { appServicePrincipal } from './appServicePrincipal';
import { EntraIdTokens, type EntraIdSettings } from './entraIdTokens';
import { CSRF_HEADER, CsrfRefusedError, isSafeMethod, sessionIdFrom } from './sessionCookie';

/**
 * Who is calling, from a request's headers (and method: a cookie alone may not authenticate a
 * mutating call, see ./sessionCookie.ts); undefined for nobody the app knows (a 401).
 */
export type Authenticate = (headers: { get(name: string): string | null }, request?: { method?: string }) => Promise<Principal | undefined>;

export interface AuthenticatorOptions {
  /** The dashboard's sessions: their cookie signs a browser in. @default none (cookies are ignored) */
  sessions?: { principalOf(sessionId: string): Promise<Principal | undefined> };
}

/** The sign-in the app settings ask for (adapters/settings.ts validates them). */
export interface SignInSettings {
  /** Entra ID bearer tokens (AUTOPILOT_ENTRA_TENANT_ID and AUTOPILOT_ENTRA_AUDIENCE). @default none */
  entra?: EntraIdSettings;
  /** App Service authentication's principal header is trusted (AUTOPILOT_TRUST_APP_SERVICE_AUTH=true). @default false */
  trustAppServiceAuth?: boolean;
}

/**
 * The API's sign-in: Entra ID bearer tokens when configured (the template sets them), App
 * Service authentication's principal header when trusted, the local tokens outside Azure.
 * In Azure Functions with none configured, every call is refused naming the settings.
 */
export function createAuthenticator(
  signIn: SignInSettings,
  localTokens: LocalTokens | undefined,
  options: AuthenticatorOptions = {},
): Authenticate {
  const entra = signIn.entra ? new EntraIdTokens(signIn.entra) : undefined;
  const trustAppService = signIn.trustAppServiceAuth === true;
  if (!entra && !trustAppService && !localTokens) {
    const unconfigured = new ConfigError('app settings', [
      {
        path: 'AUTOPILOT_ENTRA_TENANT_ID',
        message:
          'the API has no sign-in configured: set AUTOPILOT_ENTRA_TENANT_ID and AUTOPILOT_ENTRA_AUDIENCE (infra/main.json does, see docs/deploy-azure.md "Sign-in")',
      },
    ]);
    return async () => {
      throw unconfigured;
    };
  }
  return async (headers, request = {}) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(headers.get('authorization') ?? '')?.[1];
    if (bearer) {
      const local = localTokens?.principalFor(bearer);
      if (local) return local;
      const signedIn = await entra?.principalFor(bearer);
      if (signedIn) return signedIn;
    }
    const sessionId = options.sessions ? sessionIdFrom(headers.get('cookie')) : undefined;
    const fromSession = sessionId ? await options.sessions!.principalOf(sessionId) : undefined;
    if (fromSession) {
      // No method known counts as mutating: the safe default.
      if (!isSafeMethod(request.method) && headers.get(CSRF_HEADER) !== '1') throw new CsrfRefusedError(request.method ?? 'request');
      return fromSession;
    }
    return trustAppService ? appServicePrincipal(headers.get('x-ms-client-principal')) : undefined;
  };
}
