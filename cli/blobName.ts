import { basename } from 'node:path';
import { UsageError } from './errors';

/**
 * The blob an upload writes: `--name` (or the file's name) under the pipeline's prefix.
 * A name that already starts with the prefix is kept as is, so `--name default/x.csv`
 * does not become `default/default/x.csv`.
 */
export function uploadBlobName(prefix: string, file: string, name?: string): string {
  const relative = name ?? basename(file);
  if (relative.trim() === '' || relative.startsWith('/') || relative.includes('\\')) {
    throw new UsageError(`--name '${relative}': use a relative blob name with '/' separators, e.g. day1.csv or 2025/day1.csv`);
  }
  if (relative.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')) {
    throw new UsageError(`--name '${relative}': empty, '.' and '..' path segments are not allowed in blob names`);
  }
  const full = prefix && relative.startsWith(prefix) ? relative : `${prefix}${relative}`;
  if (full.length > 1024) throw new UsageError(`--name: blob names are limited to 1024 characters (got ${full.length})`);
  return full;
}

/** A URL without its query string: a SAS token there is a credential. */
export function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.search = '';
    return parsed.href;
  } catch {
    return url.split('?')[0] ?? url;
  }
}
