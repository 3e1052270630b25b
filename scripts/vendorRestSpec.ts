/**
 * Vendors a reduced copy of the Azure Machine Learning REST spec (swagger 2.0) into
 * test/fixtures/rest-spec/ for the ARM fake's request validation (test/fakes/armMl/restSpec.ts).
 *
 *   node --import tsx scripts/vendorRestSpec.ts --git-dir <azure-rest-api-specs git dir> --commit <sha>
 *
 * The full mfe.json files are 0.45–0.8 MB each; the fake only judges the request bodies of the
 * operations our client calls. So each file keeps only those operations (without `responses`
 * and `x-ms-examples`) and the definitions and parameters they reach through `$ref`, plus every
 * subtype (`allOf` + discriminator) of a polymorphic definition it keeps. Whatever is kept is
 * copied as it is: no value, `$ref` or key order changes, so the files diff cleanly against the
 * source. Cross-file refs keep their original relative form; restSpec.ts maps them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ML_SPEC_DIR as ML, resolveSpecPath, vendoredPath } from '../test/fakes/armMl/restSpecFiles';

const WS =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}';

/** What our client sends with a body, per api-version (grep adapters/azure for API_VERSION). */
export const OPERATIONS: Record<string, [method: string, path: string][]> = {
  // @azure/arm-machinelearning 2.1.1 and the raw job PUT (azureJobs.ts).
  '2022-10-01': [
    ['put', `${WS}/jobs/{id}`],
    ['put', `${WS}/environments/{name}/versions/{version}`],
    ['put', `${WS}/models/{name}/versions/{version}`],
    ['put', `${WS}/onlineEndpoints/{endpointName}`],
    ['patch', `${WS}/onlineEndpoints/{endpointName}`],
    ['put', `${WS}/onlineEndpoints/{endpointName}/deployments/{deploymentName}`],
    ['post', `${WS}/onlineEndpoints/{endpointName}/deployments/{deploymentName}/getLogs`],
  ],
  // codeAssets.ts.
  '2023-04-01': [
    ['put', `${WS}/codes/{name}/versions/{version}`],
    ['post', `${WS}/codes/{name}/versions/{version}/startPendingUpload`],
  ],
  // The endpoint PUT with mirrorTraffic, and a deployment PUT with dataCollector (azureOnlineEndpoints.ts).
  '2024-04-01': [
    ['put', `${WS}/onlineEndpoints/{endpointName}`],
    ['put', `${WS}/onlineEndpoints/{endpointName}/deployments/{deploymentName}`],
  ],
};

type Json = Record<string, any>;

function main(): void {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    if (i < 0 || !process.argv[i + 1]) throw new Error(`usage: vendorRestSpec.ts --git-dir <dir> --commit <sha> [--out <dir>]`);
    return process.argv[i + 1]!;
  };
  const gitDir = arg('--git-dir');
  const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', `${arg('--commit')}^{commit}`], { encoding: 'utf8' }).trim();
  const out = process.argv.includes('--out') ? arg('--out') : 'test/fixtures/rest-spec';
  const files = new Map<string, Json>();
  const load = (path: string): Json => {
    if (!files.has(path))
      files.set(
        path,
        JSON.parse(execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${path}`], { encoding: 'utf8', maxBuffer: 64 << 20 })),
      );
    return files.get(path)!;
  };
  /** Per source file: kept top-level entries, as "definitions/Name" or "parameters/Name". */
  const kept = new Map<string, Set<string>>();
  const keep = (file: string, entry: string) => {
    const set = kept.get(file) ?? new Set<string>();
    kept.set(file, set);
    if (set.has(entry)) return false;
    set.add(entry);
    return true;
  };
  const walk = (file: string, node: unknown): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(file, n));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const [relative, pointer = ''] = value.split('#');
        const target = resolveSpecPath(file, relative ?? '');
        const [section, name] = pointer
          .split('/')
          .filter(Boolean)
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
        if (!section || !name) throw new Error(`unsupported $ref ${value} in ${file}`);
        const entry = load(target)[section]?.[name];
        if (entry === undefined) throw new Error(`dangling $ref ${value} in ${file}`);
        if (keep(target, `${section}/${name}`)) walk(target, entry);
      } else walk(file, value);
    }
  };

  const outputs = new Map<string, Json>();
  for (const [version, operations] of Object.entries(OPERATIONS)) {
    const file = `${ML}/${version}/mfe.json`;
    const spec = load(file);
    const paths: Json = {};
    for (const [method, path] of operations) {
      const item = spec.paths[path];
      if (!item?.[method]) throw new Error(`${version}: no ${method} ${path}`);
      const { responses: _r, 'x-ms-examples': _e, ...operation } = item[method];
      paths[path] = { ...paths[path], ...(item.parameters ? { parameters: item.parameters } : {}), [method]: operation };
    }
    walk(file, paths);
    outputs.set(file, { paths });
  }
  // Subtypes are found from their base, not the other way round: add them until nothing changes.
  for (let changed = true; changed;) {
    changed = false;
    for (const [file, entries] of kept) {
      const definitions = load(file).definitions ?? {};
      const polymorphic = [...entries]
        .filter((e) => e.startsWith('definitions/') && definitions[e.slice(12)]?.discriminator)
        .map((e) => e.slice(12));
      for (const [name, definition] of Object.entries<Json>(definitions)) {
        if (entries.has(`definitions/${name}`) || !extendsAny(definitions, definition, new Set(polymorphic))) continue;
        keep(file, `definitions/${name}`);
        walk(file, definition);
        changed = true;
      }
    }
  }

  for (const [file, entries] of kept) {
    const source = load(file);
    const reduced: Json = { swagger: source.swagger, info: source.info, ...(outputs.get(file) ?? {}) };
    for (const section of ['parameters', 'definitions']) {
      const names = Object.keys(source[section] ?? {}).filter((n) => entries.has(`${section}/${n}`));
      if (names.length) reduced[section] = Object.fromEntries(names.map((n) => [n, source[section][n]]));
    }
    const target = join(out, vendoredPath(file));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `${JSON.stringify(reduced, null, 2)}\n`);
    console.log(`${target}: ${entries.size} entries`);
  }
  console.log(`from commit ${commit}`);
}

/** Does `definition` reach one of `bases` through its `allOf` chain (same file)? */
function extendsAny(definitions: Json, definition: Json, bases: Set<string>, seen = new Set<Json>()): boolean {
  if (seen.has(definition)) return false;
  seen.add(definition);
  return (definition.allOf ?? []).some((part: Json) => {
    const m = /^#\/definitions\/(.+)$/.exec(part.$ref ?? '');
    return m && (bases.has(m[1]!) || (definitions[m[1]!] && extendsAny(definitions, definitions[m[1]!], bases, seen)));
  });
}

if (require.main === module) main();
