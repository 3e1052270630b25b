import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/** Where the swagger of Microsoft.MachineLearningServices lives in Azure/azure-rest-api-specs. */
export const ML_SPEC_DIR = 'specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable';
/** The vendored, reduced copy (see its README.md and scripts/vendorRestSpec.ts). */
export const REST_SPEC_FIXTURES = join(__dirname, '../../fixtures/rest-spec');

/**
 * Spec repository path -> path under REST_SPEC_FIXTURES. Refs in the swagger are relative to
 * the repository layout (`../../../../../common-types/...`), so the fake resolves them in repository
 * paths and reads the file through this mapping.
 */
export function vendoredPath(specPath: string): string {
  if (specPath.startsWith(`${ML_SPEC_DIR}/`)) return `machinelearningservices/${specPath.slice(ML_SPEC_DIR.length + 1)}`;
  if (specPath.startsWith('specification/common-types/')) return specPath.slice('specification/'.length);
  throw new Error(`no vendored place for ${specPath}`);
}

/** The mfe.json of an api-version, by its repository path. */
export function mfePath(apiVersion: string): string {
  return `${ML_SPEC_DIR}/${apiVersion}/mfe.json`;
}

/** Resolves `relative` (a $ref's file part) against the repository path of the file holding it. */
export function resolveSpecPath(from: string, relative: string): string {
  return relative ? posix.normalize(posix.join(posix.dirname(from), relative)) : from;
}

const cache = new Map<string, Record<string, any> | null>();
/** A vendored swagger file by repository path, or null when it is not vendored. */
export function loadSpecFile(specPath: string): Record<string, any> | null {
  if (!cache.has(specPath)) {
    try {
      cache.set(specPath, JSON.parse(readFileSync(join(REST_SPEC_FIXTURES, vendoredPath(specPath)), 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      cache.set(specPath, null);
    }
  }
  return cache.get(specPath)!;
}
