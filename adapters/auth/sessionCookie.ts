import { AutopilotError } from '../../shared/errors';

/** The dashboard's session cookie: an opaque id of a server-side session (shared/auth/dashboardSessions.ts). */
export const SESSION_COOKIE = 'autopilot_session';

/**
 * The header a cookie-authenticated mutating request must carry. A browser attaches cookies
 * to requests other sites make it send, but a custom header only to requests from our own
 * page's script (cross-origin ones need a CORS preflight the app never grants).
 */
export const CSRF_HEADER = 'x-autopilot-csrf';

/** The session id in a Cookie header, if any. */
export function sessionIdFrom(cookieHeader: string | null): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** Methods that change nothing, which a cookie alone may authenticate. */
export function isSafeMethod(method: string | undefined): boolean {
  return method !== undefined && ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** A mutating request authenticated by the session cookie without the CSRF header: maybe forged by another site. */
export class CsrfRefusedError extends AutopilotError {
  constructor(readonly method: string) {
    super(
      `a ${method} authenticated by the dashboard session cookie must carry the header '${CSRF_HEADER}: 1' (the dashboard sends it); other clients use 'Authorization: Bearer <token>'`,
    );
  }
}
