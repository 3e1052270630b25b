import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface HashFolderOptions {
  /** Folder names skipped anywhere in the tree. @default none */
  skip?: readonly string[];
}

/** Folders that are build or tool state, not code: hashing them would change the hash on every install. */
export const NON_CODE_FOLDERS = ['node_modules', '.git', 'dist'] as const;

/**
 * SHA-256 over a folder: every file's relative path and content hash, in sorted path
 * order, so the result depends on content and layout only (not on mtimes or listing order).
 */
export async function hashFolder(folder: string, options: HashFolderOptions = {}): Promise<string> {
  const files = (await listFiles(folder, new Set(options.skip ?? []))).sort();
  const total = createHash('sha256');
  for (const file of files) {
    const name = relative(folder, file).split(sep).join('/');
    total.update(`${name}\0${await hashFile(file)}\n`);
  }
  return total.digest('hex');
}

export async function listFiles(folder: string, skip: ReadonlySet<string> = new Set()): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!skip.has(entry.name)) found.push(...(await listFiles(path, skip)));
    } else if (entry.isFile()) {
      found.push(path);
    }
  }
  return found;
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
