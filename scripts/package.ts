/**
 * @module Builds the folder (and zip, when `zip` is installed) that Azure Functions accepts as
 * is: compiled `dist/`, `host.json`, a production-only package.json whose `main` registers
 * every function, `autopilot.yaml`, the example specs and production node_modules.
 *
 *   node --import tsx scripts/package.ts [--skip-install] [--out dist-package]
 *
 * Then: az functionapp deployment source config-zip -g <rg> -n <app> --src autopilot-functions.zip
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DEPLOY_MAIN, toDeployManifest } from './packageManifest';
import { bundleExample } from './bundleExample';

const root = resolve(__dirname, '..');
const args = process.argv.slice(2);
const outArg = args.indexOf('--out');
const out = resolve(root, outArg >= 0 && args[outArg + 1] ? args[outArg + 1]! : 'dist-package');
const zipFile = join(dirname(out), 'autopilot-functions.zip');
const skipInstall = args.includes('--skip-install');

function step(message: string) {
  process.stdout.write(`package: ${message}\n`);
}

function run(command: string, commandArgs: string[], cwd: string) {
  execFileSync(command, commandArgs, { cwd, stdio: 'inherit' });
}

step('compiling with tsconfig.build.json');
run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], root);
if (!existsSync(join(root, DEPLOY_MAIN))) {
  throw new Error(`package: ${DEPLOY_MAIN} is missing after tsc; check tsconfig.build.json includes functions/`);
}

step(`assembling ${out}`);
// The output folder is ours alone: refuse anything that is not a fresh child of the repo.
if (dirname(out) !== root || basename(out) === '' || out === root)
  throw new Error(`package: --out must name a folder directly inside ${root}`);
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
// Only what the function app loads (functions/index.js and its imports): the local host, the
// CLI and the compiled examples stay out; the example sources are copied below for Azure ML.
const shipped = ['functions', 'shared', 'adapters'];
for (const folder of shipped) {
  if (existsSync(join(root, 'dist', folder)))
    cpSync(join(root, 'dist', folder), join(out, 'dist', folder), { recursive: true, filter: (src) => !src.endsWith('.map') });
}
// The dashboard's bundle (functions/http/dashboard.ts serves it; adapters/dashboard finds it here).
step('bundling the dashboard');
run(process.execPath, ['--import', 'tsx', 'scripts/buildDashboard.ts'], root);
// Only the files of this build (its manifest lists them), not older hashed files beside them.
const dashboardFiles = Object.keys(
  (JSON.parse(readFileSync(join(root, 'dashboard/dist/manifest.json'), 'utf8')) as { files: Record<string, unknown> }).files,
);
for (const file of [...dashboardFiles, 'manifest.json']) cpSync(join(root, 'dashboard/dist', file), join(out, 'dashboard/dist', file));
for (const file of ['host.json', 'autopilot.yaml', 'autopilot.azure.yaml', 'package-lock.json']) cpSync(join(root, file), join(out, file));
// The training job's `code` folder is uploaded to Azure ML from here (sources, job and deployment YAML),
// with the TypeScript example's self-contained bundles for Azure ML (examples/tabular/azure).
step('bundling the TypeScript example for Azure ML');
bundleExample();
cpSync(join(root, 'examples'), join(out, 'examples'), { recursive: true });
const manifest = toDeployManifest(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
writeFileSync(join(out, 'package.json'), manifestText);
// tsc emits dist/package.json when code imports '../package.json' (for the version); ship the lean one there too.
if (existsSync(join(root, 'dist', 'package.json'))) writeFileSync(join(out, 'dist', 'package.json'), manifestText);

if (skipInstall) step('skipping npm install (--skip-install)');
else {
  step('installing production dependencies');
  // `npm install` (not `ci`) because the root lock file also lists devDependencies; it prunes them.
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], out);
}

if (spawnSync('zip', ['-v'], { stdio: 'ignore' }).status === 0) {
  rmSync(zipFile, { force: true });
  step(`zipping to ${zipFile}`);
  run('zip', ['-qr', zipFile, '.'], out);
} else {
  step(`no zip tool here: zip ${out} yourself (cd ${basename(out)} && zip -r ../autopilot-functions.zip .)`);
}
step('done');
