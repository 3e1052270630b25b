import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { CliError, UsageError } from './errors';
import { ensureError } from '../shared/errors';

/** Where the Functions host serves the API on the embedded stack (DESIGN: operator contract). */
export const DEFAULT_API_URL = 'http://127.0.0.1:7071/api';
export const DEFAULT_STATE_DIR = '.autopilot';
/** The principal the local stack creates for the person at the keyboard. */
const PREFERRED_PRINCIPAL = 'local-ml-engineer';

/** Only token and principal matter here; roles are the server's business (their shape is its own). */
export const TokensFile = z.object({
  tokens: z.array(z.object({ token: z.string().min(1), principal: z.string() })),
});

export interface GlobalOptions {
  url?: string;
  token?: string;
  scope?: string;
  stateDir?: string;
}

export interface ApiSettings {
  baseUrl: string;
  token: string | undefined;
  /** Entra ID scope of the app's API (api://<appId>/.default): tokens come from the signed-in identity. */
  scope?: string;
  /** Where the token came from, for error messages (never the token itself). */
  tokenSource: string;
}

export function resolveStateDir(options: GlobalOptions, env: Record<string, string | undefined>, cwd: string): string {
  return resolve(cwd, options.stateDir ?? env.AUTOPILOT_STATE_DIR ?? DEFAULT_STATE_DIR);
}

/** Flags win over environment variables, which win over the local stack's files. */
export function resolveApiSettings(options: GlobalOptions, env: Record<string, string | undefined>, cwd: string): ApiSettings {
  const baseUrl = normalizeBaseUrl(options.url ?? env.AUTOPILOT_URL ?? DEFAULT_API_URL);
  if (options.token) return { baseUrl, token: options.token, tokenSource: '--token' };
  if (env.AUTOPILOT_TOKEN) return { baseUrl, token: env.AUTOPILOT_TOKEN, tokenSource: 'AUTOPILOT_TOKEN' };
  const scope = options.scope ?? env.AUTOPILOT_API_SCOPE;
  if (scope)
    return {
      baseUrl,
      token: undefined,
      scope,
      tokenSource: `Entra ID (scope ${scope}, the identity az login or the environment signed in)`,
    };
  if (!isLoopback(baseUrl)) {
    throw new UsageError(
      `${baseUrl} is not the local stack: sign in with Entra ID (az login, then --scope api://<appId>/.default or AUTOPILOT_API_SCOPE; infra/entra-app.sh prints the app id) or pass --token`,
    );
  }
  const file = join(resolveStateDir(options, env, cwd), 'tokens.json');
  return { baseUrl, token: readLocalToken(file), tokenSource: file };
}

function isLoopback(url: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
}

export function normalizeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url: '${url}' is not a URL; expected e.g. ${DEFAULT_API_URL}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--url: '${url}' must be an http(s) URL`);
  }
  return parsed.href.replace(/\/+$/, '');
}

/**
 * The local ML engineer's token from `<stateDir>/tokens.json` (or, with `principal`, exactly that
 * principal's, e.g. 'local-reader'); undefined when there is no file.
 */
export function readLocalToken(file: string, principal?: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`Cannot read ${file}: ${ensureError(error).message}`);
  }
  let parsed: z.infer<typeof TokensFile>;
  try {
    parsed = TokensFile.parse(JSON.parse(text));
  } catch {
    throw new CliError(
      `${file} is not a valid tokens file (expected { "tokens": [{ "token", "principal", "roles" }] }); delete it and restart the stack to recreate it`,
    );
  }
  if (principal) {
    const wanted = parsed.tokens.find((t) => t.principal === principal);
    if (!wanted)
      throw new CliError(
        `${file} has no token for ${principal} (it has: ${parsed.tokens.map((t) => t.principal).join(', ')}); delete it and restart the stack to recreate it`,
      );
    return wanted.token;
  }
  const preferred = parsed.tokens.find((t) => t.principal === PREFERRED_PRINCIPAL) ?? parsed.tokens[0];
  return preferred?.token;
}
