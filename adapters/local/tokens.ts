import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Principal, type Principal as PrincipalType } from '../../shared/auth/rbac';
import { ConfigError } from '../../shared/errors';

// `principal` is the name, as the CLI reads it; roles as in shared/auth/rbac.
const TokenFile = z.object({
  tokens: z.array(z.object({ token: z.string().min(32), principal: z.string().min(1), roles: Principal.shape.roles })),
});
type TokenFile = z.infer<typeof TokenFile>;

/** One token per role, made on first start: what App Service authentication gives in Azure. */
function freshTokens(): TokenFile {
  const token = () => randomBytes(24).toString('base64url');
  return {
    tokens: [
      { token: token(), principal: 'local-ml-engineer', roles: [{ role: 'ml_engineer', environments: ['dev', 'staging', 'prod'] }] },
      { token: token(), principal: 'local-data-scientist', roles: [{ role: 'data_scientist', environments: ['dev'] }] },
      { token: token(), principal: 'local-reader', roles: [{ role: 'reader', environments: ['dev', 'staging', 'prod'] }] },
    ],
  };
}

export interface LocalTokens {
  readonly path: string;
  principalFor(token: string | undefined): PrincipalType | undefined;
}

/** Loads `<stateDir>/tokens.json`, creating it (mode 0600) on first start. */
export function ensureLocalTokens(stateDir: string): LocalTokens {
  const path = join(stateDir, 'tokens.json');
  if (!existsSync(path)) {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(path, JSON.stringify(freshTokens(), null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  }
  const parsed = TokenFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new ConfigError(
      path,
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: `${i.message}; delete the file to get new tokens` })),
    );
  }
  const entries = parsed.data.tokens.map(({ token, principal, roles }) => ({
    token: Buffer.from(token),
    principal: { name: principal, roles },
  }));
  return {
    path,
    principalFor(token) {
      if (!token) return undefined;
      const given = Buffer.from(token);
      // Constant-time comparison: a token must not leak through response timing.
      return entries.find((e) => e.token.length === given.length && timingSafeEqual(e.token, given))?.principal;
    },
  };
}
