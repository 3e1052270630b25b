import { ConcurrencyError } from '../errors';
import type { StateTable } from '../ports';
import { Principal } from './rbac';

/** A sign-in link works once, for this long: long enough to open it, too short to be worth stealing. */
export const LOGIN_CODE_TTL_MS = 2 * 60_000;
/** A dashboard session lasts a working day; then `autopilot open` again. */
export const SESSION_TTL_MS = 8 * 3600_000;

const LOGIN_PARTITION = 'dashboard-login';
const SESSION_PARTITION = 'dashboard-session';

interface LoginCodeRow {
  principal: Principal;
  expiresAt: string;
  usedAt?: string;
}
interface SessionRow {
  principal: Principal;
  expiresAt: string;
}

export interface DashboardSessionsDeps {
  /** Shared by every instance of the app, so a code made on one is redeemed on another. */
  table: StateTable;
  now: () => Date;
  /** An unguessable id (≥ 128 random bits) usable as a table key. */
  randomId: () => string;
}

export type RedeemResult =
  | { kind: 'signed-in'; sessionId: string; principal: Principal; expiresAt: Date }
  | { kind: 'refused'; why: 'unknown' | 'expired' | 'used' };

/**
 * One-time sign-in codes and the sessions they open, kept server-side: the browser holds only
 * an opaque session id in a cookie, never the bearer token that asked for the code.
 */
export class DashboardSessions {
  constructor(private readonly deps: DashboardSessionsDeps) {}

  /** A fresh single-use code that signs `principal` in within LOGIN_CODE_TTL_MS. */
  async issueLoginCode(principal: Principal): Promise<{ code: string; expiresAt: Date }> {
    const code = this.deps.randomId();
    const expiresAt = new Date(this.deps.now().getTime() + LOGIN_CODE_TTL_MS);
    await this.deps.table.insert<LoginCodeRow>(LOGIN_PARTITION, code, { principal, expiresAt: expiresAt.toISOString() });
    return { code, expiresAt };
  }

  /**
   * Spends a code and opens a session. Marking the code used is a conditional replace: of two
   * instances redeeming the same code at once, exactly one wins.
   */
  async redeemLoginCode(code: string): Promise<RedeemResult> {
    if (!isKey(code)) return { kind: 'refused', why: 'unknown' };
    const row = await this.deps.table.get<LoginCodeRow>(LOGIN_PARTITION, code);
    if (!row) return { kind: 'refused', why: 'unknown' };
    if (row.value.usedAt) return { kind: 'refused', why: 'used' };
    const now = this.deps.now();
    if (Date.parse(row.value.expiresAt) <= now.getTime()) return { kind: 'refused', why: 'expired' };
    try {
      await this.deps.table.replace<LoginCodeRow>(LOGIN_PARTITION, code, { ...row.value, usedAt: now.toISOString() }, row.etag);
    } catch (error) {
      if (error instanceof ConcurrencyError) return { kind: 'refused', why: 'used' };
      throw error;
    }
    const principal = Principal.parse(row.value.principal);
    const sessionId = this.deps.randomId();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await this.deps.table.insert<SessionRow>(SESSION_PARTITION, sessionId, { principal, expiresAt: expiresAt.toISOString() });
    return { kind: 'signed-in', sessionId, principal, expiresAt };
  }

  /** Who a live session belongs to; undefined for an unknown, malformed or expired id. */
  async principalOf(sessionId: string): Promise<Principal | undefined> {
    if (!isKey(sessionId)) return undefined;
    const row = await this.deps.table.get<SessionRow>(SESSION_PARTITION, sessionId);
    if (!row || Date.parse(row.value.expiresAt) <= this.deps.now().getTime()) return undefined;
    const parsed = Principal.safeParse(row.value.principal);
    return parsed.success ? parsed.data : undefined;
  }

  /** Signs out: the id stops working at once, on every instance. */
  async end(sessionId: string): Promise<void> {
    if (isKey(sessionId)) await this.deps.table.delete(SESSION_PARTITION, sessionId);
  }
}

/**
 * Whether `value` could be a code or session id at all: ids are base64url, so anything else (a
 * path, a control character, markup) is not looked up, nor put in a page. No I/O.
 */
export function isKey(value: string): boolean {
  return /^[A-Za-z0-9_-]{16,128}$/.test(value);
}
