/**
 * @module Bundles the dashboard (dashboard/src, Preact + uPlot) with esbuild into dashboard/dist:
 * content-hashed assets, an index.html that loads them (no inline script, so the CSP can be
 * strict) and manifest.json, the only list of files the dashboard function will serve.
 *
 * Every stack start builds (devhost/main.ts), and tests start stacks in parallel: so a build
 * never deletes or rewrites a file in place. Hashed names already there have that content;
 * new ones, index.html and the manifest are written beside and renamed over (atomic).
 *
 *   node --import tsx scripts/buildDashboard.ts
 */
import { build } from 'esbuild';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { DashboardManifest } from '../adapters/dashboard/dashboardManifest';
import { ensureError } from '../shared/errors';

const ROOT = resolve(__dirname, '..');
export const DASHBOARD_DIST = join(ROOT, 'dashboard', 'dist');

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

function contentTypeOf(file: string): string {
  const type = CONTENT_TYPES[file.slice(file.lastIndexOf('.'))];
  if (!type) throw new Error(`buildDashboard: no content type for ${file}; add its extension to CONTENT_TYPES`);
  return type;
}

function writeAtomically(file: string, content: Uint8Array | string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

/** Builds dashboard/dist; returns the manifest it wrote. */
export async function buildDashboard(options: { minify?: boolean } = {}): Promise<DashboardManifest> {
  const assetsDir = join(DASHBOARD_DIST, 'assets');
  mkdirSync(assetsDir, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['dashboard/src/main.tsx'],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: options.minify ?? true,
    sourcemap: false,
    entryNames: '[name]-[hash]',
    outdir: assetsDir,
    metafile: true,
    write: false,
    logLevel: 'warning',
    // The rbac module imports zod's schemas only; nothing of node must slip into the page.
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  for (const out of result.outputFiles) if (!existsSync(out.path)) writeAtomically(out.path, out.contents);
  const built = result.outputFiles.map((out) => relative(DASHBOARD_DIST, out.path).split('\\').join('/'));
  const scripts = built.filter((f) => f.endsWith('.js'));
  const styles = built.filter((f) => f.endsWith('.css'));
  const html = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>mlops-autopilot</title>',
    ...styles.map((s) => `<link rel="stylesheet" href="${s}">`),
    ...scripts.map((s) => `<script type="module" src="${s}"></script>`),
    '</head>',
    '<body><div id="app"></div></body>',
    '</html>',
    '',
  ].join('\n');
  writeAtomically(join(DASHBOARD_DIST, 'index.html'), html);
  const manifest: DashboardManifest = {
    files: Object.fromEntries(
      [...built, 'index.html'].map((file) => [file, { contentType: contentTypeOf(file), immutable: file !== 'index.html' }]),
    ),
  };
  writeAtomically(join(DASHBOARD_DIST, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (require.main === module) {
  buildDashboard().then(
    (manifest) =>
      process.stdout.write(
        `dashboard: built ${Object.keys(manifest.files).length} files into ${relative(process.cwd(), DASHBOARD_DIST) || basename(DASHBOARD_DIST)}\n`,
      ),
    (error: unknown) => {
      process.stderr.write(`dashboard: build failed: ${ensureError(error).message}\n`);
      process.exit(1);
    },
  );
}
