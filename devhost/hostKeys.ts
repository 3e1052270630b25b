import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../shared/errors';

export const EVENTGRID_SYSTEM_KEY = 'eventgrid_extension';

const HostKeysFile = z.strictObject({
  masterKey: z.string().min(16),
  functionKeys: z.record(z.string(), z.string().min(16)),
  systemKeys: z.record(z.string(), z.string().min(16)),
});
export type HostKeys = z.infer<typeof HostKeysFile>;

export type AuthLevel = 'anonymous' | 'function' | 'admin' | 'system';

/** Azure's keys are random base64 strings of similar length; ours are url-safe so `?code=` needs no escaping. */
function newKey(): string {
  return randomBytes(40).toString('base64url');
}

/**
 * Loads `<stateDir>/host-keys.json`, creating it (mode 0600) with fresh random keys on
 * first start, so URLs with `?code=` keep working across restarts.
 */
export function loadOrCreateHostKeys(stateDir: string): { keys: HostKeys; path: string } {
  const path = join(stateDir, 'host-keys.json');
  let keys: HostKeys;
  let changed = false;
  if (existsSync(path)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      throw new ConfigError(path, [{ path: '', message: 'not valid JSON; delete the file to create new keys' }]);
    }
    const parsed = HostKeysFile.safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(
        path,
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: `${i.message}; delete the file to create new keys` })),
      );
    }
    keys = parsed.data;
  } else {
    keys = { masterKey: newKey(), functionKeys: { default: newKey() }, systemKeys: {} };
    changed = true;
  }
  if (!keys.systemKeys[EVENTGRID_SYSTEM_KEY]) {
    keys.systemKeys[EVENTGRID_SYSTEM_KEY] = newKey();
    changed = true;
  }
  if (changed) {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, path);
  }
  chmodSync(path, 0o600);
  return { keys, path };
}

/** Constant-time comparison of a presented key against the known ones. */
function matchesAny(presented: string, candidates: readonly string[]): boolean {
  const digest = createHash('sha256').update(presented).digest();
  let found = false;
  for (const candidate of candidates) {
    if (timingSafeEqual(digest, createHash('sha256').update(candidate).digest())) found = true;
  }
  return found;
}

/**
 * Azure's rules: anonymous needs nothing; function accepts a function key or a host key
 * (the master key too); admin only the master key; a system (extension) endpoint its
 * system key or the master key.
 */
export function isAuthorized(keys: HostKeys, level: AuthLevel, presented: string | undefined, systemKeyName?: string): boolean {
  if (level === 'anonymous') return true;
  if (!presented) return false;
  if (level === 'admin') return matchesAny(presented, [keys.masterKey]);
  if (level === 'system') {
    const systemKey = systemKeyName ? keys.systemKeys[systemKeyName] : undefined;
    return matchesAny(presented, systemKey ? [systemKey, keys.masterKey] : [keys.masterKey]);
  }
  return matchesAny(presented, [keys.masterKey, ...Object.values(keys.functionKeys)]);
}
