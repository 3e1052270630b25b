import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { z } from 'zod';
import { resolveStorageTarget, StorageSettingsError } from '../../storageConnection';

/** Where AzureWebJobsStorage points, and how the report may name it (never the secret itself). */
export type DoctorStorageTarget =
  | { kind: 'connectionString'; connectionString: string; accountName: string; source: string; azCredentialFlag: string }
  | {
      kind: 'identity';
      urls: { blob: string; queue: string; table: string };
      credential: TokenCredential;
      accountName: string;
      source: string;
      azCredentialFlag: string;
    }
  | { kind: 'missing'; lookedAt: string }
  | { kind: 'invalid'; message: string };

const LocalSettings = z.object({ Values: z.record(z.string(), z.string()).default({}) });
const SETTING = 'AzureWebJobsStorage';

/**
 * The app's storage setting, read as the app reads it (adapters/storageConnection.ts: a
 * connection string, or the identity-based `AzureWebJobsStorage__*` settings), from the
 * environment, else from local.settings.json `Values` in `cwd` (what the local host applies).
 */
export function resolveDoctorStorageTarget(
  env: Record<string, string | undefined>,
  cwd: string,
  options: { credential?: TokenCredential } = {},
): DoctorStorageTarget {
  const file = join(cwd, 'local.settings.json');
  const fromEnv = hasStorageSetting(env);
  const values = fromEnv ? env : readLocalValues(file);
  if (!values || !hasStorageSetting(values)) return { kind: 'missing', lookedAt: `the environment and ${file}` };
  const where = fromEnv ? 'the environment' : file;
  let target;
  try {
    target = resolveStorageTarget(values as NodeJS.ProcessEnv, options.credential ? { createCredential: () => options.credential! } : {});
  } catch (error) {
    if (error instanceof StorageSettingsError) return { kind: 'invalid', message: `${error.message} (settings from ${where})` };
    throw error;
  }
  if ('connectionString' in target) {
    const accountName = /(?:^|;)\s*AccountName=([^;]+)/i.exec(target.connectionString)?.[1] ?? '(unknown account)';
    // Refer to the setting, never paste its value (it holds the account key).
    const flag = fromEnv ? `--connection-string "$${SETTING}"` : `--connection-string "<${SETTING} from local.settings.json>"`;
    return {
      kind: 'connectionString',
      connectionString: target.connectionString,
      accountName,
      source: `${SETTING} (a connection string, from ${where})`,
      azCredentialFlag: flag,
    };
  }
  const accountName = values[`${SETTING}__accountName`]?.trim() || accountFromUrl(target.accountUrl.blob);
  return {
    kind: 'identity',
    urls: target.accountUrl,
    credential: target.credential,
    accountName,
    source: `${SETTING}__* (Entra ID, from ${where})`,
    azCredentialFlag: `--account-name ${accountName} --auth-mode login`,
  };
}

/** `https://<account>.blob.core.windows.net`, or path-style `https://127.0.0.1:10000/<account>` (emulators, IP endpoints). */
function accountFromUrl(url: string): string {
  const parsed = new URL(url);
  const pathStyle = /^(\d+\.){3}\d+$|^localhost$|^\[/.test(parsed.hostname);
  return (pathStyle ? parsed.pathname.split('/')[1] : parsed.hostname.split('.')[0]) || parsed.host;
}

function hasStorageSetting(values: Record<string, string | undefined>): boolean {
  return Object.entries(values).some(([key, value]) => (key === SETTING || key.startsWith(`${SETTING}__`)) && !!value?.trim());
}

function readLocalValues(file: string): Record<string, string> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return LocalSettings.parse(JSON.parse(readFileSync(file, 'utf8'))).Values;
  } catch {
    // A broken local.settings.json is the local host's to report; here it just does not count.
    return undefined;
  }
}
