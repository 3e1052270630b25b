import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors';

/** What scripts/buildDashboard.ts writes beside the bundle: every file the dashboard may serve. */
export const DashboardManifest = z.object({
  files: z.record(z.string(), z.object({ contentType: z.string(), immutable: z.boolean() })),
});
export type DashboardManifest = z.infer<typeof DashboardManifest>;

export interface DashboardAsset {
  body: Buffer;
  contentType: string;
  /** Content-hashed names never change, so browsers may keep them for a year. */
  immutable: boolean;
}

/**
 * The built dashboard held in memory, keyed by its manifest's names: a request path is only
 * ever a key into this map, never a filesystem path, so `..`, `%00` or absolute paths find nothing.
 */
export type DashboardAssets = ReadonlyMap<string, DashboardAsset>;

/** Where the bundle lives from the sources (adapters/dashboard) and from the package (dist/adapters/dashboard). */
function candidateDirs(configured: string | undefined): string[] {
  if (configured) return [resolve(configured)];
  return [resolve(__dirname, '../../dashboard/dist'), resolve(__dirname, '../../../dashboard/dist')];
}

/**
 * Reads the manifest and every file it names, from `configuredDir` (the app setting AUTOPILOT_DASHBOARD_DIR)
 * or the build beside the sources or the package; a missing build says how to make one.
 */
export function loadDashboardAssets(configuredDir?: string): DashboardAssets {
  const dirs = candidateDirs(configuredDir);
  const dir = dirs.find((d) => existsSync(join(d, 'manifest.json')));
  if (!dir) {
    throw new ConfigError('dashboard', [
      {
        path: 'dashboard/dist/manifest.json',
        message: `no built dashboard in ${dirs.join(' or ')}: run \`node --import tsx scripts/buildDashboard.ts\` (npm start and npm run package do)`,
      },
    ]);
  }
  const manifest = DashboardManifest.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  return new Map(Object.entries(manifest.files).map(([name, meta]) => [name, { ...meta, body: readFileSync(join(dir, name)) }]));
}
