import { basename } from 'node:path';
import { blobNameProblem } from '../shared/events/blobName';
import { UsageError } from './errors';

/**
 * The blob an upload writes: `--name` (or the file's name) under the pipeline's prefix.
 * A name that already starts with the prefix is kept as is, so `--name default/x.csv`
 * does not become `default/default/x.csv`. Names the service refuses (dot or empty
 * segments, control characters, …: shared/events/blobName.ts) are refused before
 * uploading: such a blob would start no release, and `--wait` would wait for nothing.
 */
export function uploadBlobName(prefix: string, file: string, name?: string): string {
  const relative = name ?? basename(file);
  const full = prefix && relative.startsWith(prefix) ? relative : `${prefix}${relative}`;
  for (const candidate of [relative, full]) {
    const problem = blobNameProblem(candidate);
    if (problem) throw new UsageError(`--name: blob name ${JSON.stringify(candidate)} ${problem}`);
  }
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
