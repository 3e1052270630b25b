import type { TokenCredential } from '@azure/core-auth';
import { z } from 'zod';
import { checkResult, messageOf, redactTokens, type CheckResult } from '../../../shared/doctor';

export interface CredentialOutcome {
  result: CheckResult;
  /** Set when a token came back: the credential works for the next checks. */
  ok: boolean;
  /** The caller's object id from the token's `oid` claim, for role assignment commands. */
  principalId?: string;
}

const CREDENTIAL_FIX = [
  'On a laptop: `az login` (then `az account set --subscription <id>`).',
  "In Azure: enable the function app's system-assigned managed identity (infra/main.json does); for a user-assigned identity set AZURE_CLIENT_ID to its client id.",
  'For a service principal: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH).',
].join('\n');

/**
 * Asks the credential for an ARM token. The token itself is never shown: only who it names
 * (the `oid`, `upn` or `appid` claims), and on failure which credential types were tried.
 */
export async function checkCredential(
  credential: TokenCredential,
  scope: string,
  label: string,
  signal?: AbortSignal,
): Promise<CredentialOutcome> {
  try {
    const token = await credential.getToken(scope, { abortSignal: signal });
    if (!token) return { ok: false, result: checkResult('credential', 'fail', `${label} returned no token for ${scope}`, CREDENTIAL_FIX) };
    const who = principalFromToken(token.token);
    const name = who?.upn ?? who?.appid;
    const detail = `${label} gets a token for ${scope}${who?.oid ? ` as object id ${who.oid}${name ? ` (${name})` : ''}` : ''}`;
    return { ok: true, result: checkResult('credential', 'ok', detail), ...(who?.oid ? { principalId: who.oid } : {}) };
  } catch (error) {
    return {
      ok: false,
      result: checkResult('credential', 'fail', `${label} could not get a token for ${scope}:\n${triedCredentials(error)}`, CREDENTIAL_FIX),
    };
  }
}

/** The credential did not answer in time (a managed identity endpoint that retries, a hung `az`). */
export function credentialTimedOut(label: string, timeoutMs: number): CredentialOutcome {
  return {
    ok: false,
    result: checkResult(
      'credential',
      'fail',
      `${label} got no token within ${timeoutMs / 1000} s (a managed identity endpoint that does not answer retries until then)`,
      CREDENTIAL_FIX,
    ),
  };
}

/** One line per credential DefaultAzureCredential tried (its AggregateAuthenticationError lists them). */
function triedCredentials(error: unknown): string {
  const inner = (error as { errors?: unknown[] }).errors;
  const lines = Array.isArray(inner) && inner.length ? inner.map(messageOf) : [messageOf(error)];
  return lines.map((line) => `  - ${redactTokens(firstSentence(line))}`).join('\n');
}

function firstSentence(text: string): string {
  const line = text.split('\n')[0]!.trim();
  const end = line.search(/\.\s/);
  return end > 0 ? line.slice(0, end + 1) : line;
}

const Claims = z.object({ oid: z.string().optional(), upn: z.string().optional(), appid: z.string().optional() });

/** Reads the claims of a JWT access token without verifying it: only to name the principal. */
export function principalFromToken(token: string): z.infer<typeof Claims> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = Claims.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return claims.success ? claims.data : undefined;
  } catch {
    return undefined;
  }
}
