import { createHash } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { PipelineResponse } from '@azure/core-rest-pipeline';
import { ContainerClient } from '@azure/storage-blob';
import { z } from 'zod';
import { AutopilotError, ensureError } from '../../../shared/errors';
import { mapArmError } from './mapArmError';

/** The first api-version with "Code Versions - Create Or Get Start Pending Upload" (SDK 2.1.1 has none). */
export const CODE_API_VERSION = '2023-04-01';
/** Tool state and caches, not code: uploading them would change the hash on every run. */
export const SKIPPED_CODE_FOLDERS: readonly string[] = ['.git', 'node_modules', '__pycache__'];

/** A raw ARM call through the ML client's pipeline (auth, retries), path without host or api-version. */
export type ArmSend = (method: 'GET' | 'PUT' | 'POST', path: string, apiVersion: string, body?: unknown) => Promise<PipelineResponse>;
export interface CodeAsset {
  id: string;
  name: string;
  version: string;
  /** SHA-256 of the folder. */ hash: string;
  /** 0 when the version existed. */ uploadedFiles: number;
  /** The blob folder holding the files (an environment's Docker build context may point at it). */ uri: string;
}
export interface CodeUploadProgress {
  uploadedFiles: number;
  totalFiles: number;
  uploadedBytes: number;
  totalBytes: number;
}
export interface EnsureCodeAssetOptions {
  /** Asset name. @default `autopilot-<folder name>`, sanitized */
  name?: string;
  /** Files uploaded at once. @default 4 */
  concurrency?: number;
  /** Called after each uploaded file. @default none */
  onProgress?: (progress: CodeUploadProgress) => void;
}

/** A code folder that cannot be uploaded as it is. */
export class UnsafeCodeFolderError extends AutopilotError {
  constructor(
    readonly folder: string,
    readonly file: string,
    reason: string,
  ) {
    super(`code folder ${folder}: ${file ? `'${file}' ` : ''}${reason}`);
  }
}

const PendingUpload = z.object({
  pendingUploadId: z.string().optional(),
  blobReferenceForConsumption: z.object({
    blobUri: z.url(),
    credential: z.object({ credentialType: z.literal('SAS'), sasUri: z.url() }),
  }),
});
const CodeVersion = z.object({
  id: z.string().min(1),
  properties: z.object({ codeUri: z.string().optional(), tags: z.record(z.string(), z.string().nullable()).optional() }).optional(),
});
const HASH_TAG = 'autopilot.codeHash';

/**
 * The code folder as an Azure ML code asset, named after the folder and versioned by the
 * prefix of its content hash: a folder already uploaded is found by one GET and uploads nothing.
 */
export async function ensureCodeAsset(
  folder: string,
  arm: { send: ArmSend; workspacePath: string },
  options: EnsureCodeAssetOptions = {},
): Promise<CodeAsset> {
  const files = await listCodeFiles(folder);
  const hash = await hashCodeFiles(files);
  const name = options.name ?? assetName(folder);
  const version = hash.slice(0, 16);
  const path = `${arm.workspacePath}/codes/${name}/versions/${version}`;
  const id = `${name}:${version}`;
  const existing = await existingVersion(arm.send, path, id, hash);
  if (existing) return { ...existing, name, version, hash, uploadedFiles: 0 };

  const started = await arm.send('POST', `${path}/startPendingUpload`, CODE_API_VERSION, { pendingUploadType: 'TemporaryBlobReference' });
  if (started.status >= 400) throw mapArmError({ statusCode: started.status, message: started.bodyAsText }, 'code asset', id);
  const pending = PendingUpload.safeParse(JSON.parse(started.bodyAsText ?? '{}'));
  if (!pending.success)
    throw new AutopilotError(
      `Azure ML answered startPendingUpload of code asset '${id}' without a SAS blob reference: ${pending.error.issues[0]?.message}`,
    );
  const { blobUri, credential } = pending.data.blobReferenceForConsumption;
  await uploadFiles(files, new ContainerClient(credential.sasUri), id, options);

  const put = await arm.send('PUT', path, CODE_API_VERSION, {
    properties: {
      codeUri: blobUri,
      isAnonymous: false,
      description: `code folder ${basename(folder)}, uploaded by autopilot`,
      tags: { [HASH_TAG]: hash },
    },
  });
  // 409: another release registered the same version meanwhile; its content is the same.
  if (put.status === 409)
    return { ...(await existingVersion(arm.send, path, id, hash))!, name, version, hash, uploadedFiles: files.length };
  if (put.status >= 400) throw mapArmError({ statusCode: put.status, message: put.bodyAsText }, 'code asset', id);
  return { id: CodeVersion.parse(JSON.parse(put.bodyAsText ?? '{}')).id, uri: blobUri, name, version, hash, uploadedFiles: files.length };
}

async function existingVersion(send: ArmSend, path: string, id: string, hash: string): Promise<{ id: string; uri: string } | undefined> {
  const found = await send('GET', path, CODE_API_VERSION);
  if (found.status === 404) return undefined;
  if (found.status >= 400) throw mapArmError({ statusCode: found.status, message: found.bodyAsText }, 'code asset', id);
  const version = CodeVersion.parse(JSON.parse(found.bodyAsText ?? '{}'));
  const recorded = version.properties?.tags?.[HASH_TAG];
  if (recorded && recorded !== hash)
    throw new AutopilotError(
      `code asset '${id}' holds other code (hash ${recorded}, expected ${hash}); archive that version in the workspace`,
    );
  return { id: version.id, uri: version.properties?.codeUri ?? '' };
}

export interface CodeFile {
  name: string;
  path: string;
  size: number;
}

/** Every file to upload, with its forward-slash name; refuses what Azure would misread or what leaves the folder. */
export async function listCodeFiles(folder: string): Promise<CodeFile[]> {
  const root = await realpath(folder).catch(() => undefined);
  if (!root || !(await stat(root)).isDirectory())
    throw new UnsafeCodeFolderError(folder, '', 'does not exist or is not a folder; `code:` is relative to the spec file');
  const files: CodeFile[] = [];
  const walk = async (dir: string, prefix: string, seen: ReadonlySet<string>): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (SKIPPED_CODE_FOLDERS.includes(entry.name)) continue;
      const name = prefix ? `${prefix}/${entry.name}` : entry.name;
      checkName(folder, name, entry.name);
      let path = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const target = await realpath(path).catch(() => undefined);
        if (!target) throw new UnsafeCodeFolderError(folder, name, 'is a broken symlink; remove it');
        if (target !== root && !target.startsWith(root + sep))
          throw new UnsafeCodeFolderError(folder, name, `is a symlink to ${target}, outside the code folder; copy the file in instead`);
        path = target;
      }
      const info = await stat(path);
      if (info.isDirectory()) {
        if (seen.has(path)) throw new UnsafeCodeFolderError(folder, name, 'is a symlink loop; remove it');
        await walk(path, name, new Set([...seen, path]));
      } else if (info.isFile()) {
        files.push({ name, path, size: info.size });
      }
    }
  };
  await walk(root, '', new Set([root]));
  if (!files.length) throw new UnsafeCodeFolderError(folder, '', 'holds no files to upload');
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function checkName(folder: string, name: string, segment: string): void {
  if (segment.split('\\').some((part) => part === '..' || part === '.'))
    throw new UnsafeCodeFolderError(folder, name, "holds a '..' or '.' path segment; rename it");
  if (/[\\\u0000-\u001f\u007f]/.test(segment))
    throw new UnsafeCodeFolderError(
      folder,
      name,
      'holds a backslash or a control character, which blob storage reads differently; rename it',
    );
  if (name.length > 1024) throw new UnsafeCodeFolderError(folder, name, 'is longer than the 1024 characters of a blob name');
}

/** SHA-256 over each file's name and content hash, in name order: content and layout only. */
export async function hashCodeFiles(files: readonly CodeFile[]): Promise<string> {
  const total = createHash('sha256');
  for (const file of files)
    total.update(
      `${file.name}\0${createHash('sha256')
        .update(await readFile(file.path))
        .digest('hex')}\n`,
    );
  return total.digest('hex');
}

/** Names follow Azure ML's asset alphabet; the folder name keeps them recognisable in Studio. */
export function assetName(folder: string): string {
  const base = basename(relative('/', folder) || 'code')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  return `autopilot-${base || 'code'}`.slice(0, 200);
}

async function uploadFiles(files: CodeFile[], container: ContainerClient, id: string, options: EnsureCodeAssetOptions): Promise<void> {
  const progress: CodeUploadProgress = {
    uploadedFiles: 0,
    totalFiles: files.length,
    uploadedBytes: 0,
    totalBytes: files.reduce((n, f) => n + f.size, 0),
  };
  const queue = [...files];
  let failed = false;
  const worker = async () => {
    for (let file = queue.shift(); file && !failed; file = queue.shift()) {
      try {
        // The SAS URI may point below the container: blob names append to its path.
        await container.getBlockBlobClient(file.name).uploadFile(file.path);
      } catch (error) {
        failed = true;
        // Never the storage error itself: its request carries the SAS.
        const status = (error as { statusCode?: number }).statusCode;
        throw new AutopilotError(
          `uploading '${file.name}' of code asset '${id}' failed${status ? ` (HTTP ${status})` : ''}: ${redact(ensureError(error).message)}`,
          { retryable: true },
        );
      }
      progress.uploadedFiles++;
      progress.uploadedBytes += file.size;
      options.onProgress?.({ ...progress });
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, options.concurrency ?? 4), files.length) }, worker));
}

function redact(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/([?&]sig=)[^&\s]+/gi, '$1REDACTED');
}
