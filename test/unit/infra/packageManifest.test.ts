import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toDeployManifest } from '../../../scripts/packageManifest';

const rootManifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Record<string, any>;

describe('toDeployManifest', () => {
  it('points main at the compiled function index that registers every function', () => {
    expect(toDeployManifest(rootManifest).main).toBe('dist/functions/index.js');
  });

  it('keeps production dependencies with their ranges and drops devDependencies, scripts and bin', () => {
    const manifest = toDeployManifest(rootManifest) as unknown as Record<string, unknown>;
    expect(manifest).not.toHaveProperty('devDependencies');
    expect(manifest).not.toHaveProperty('scripts');
    expect(manifest).not.toHaveProperty('bin');
    expect(manifest.dependencies).toMatchObject({
      '@azure/functions': rootManifest.dependencies['@azure/functions'],
      zod: rootManifest.dependencies.zod,
    });
  });

  it('leaves out the local storage emulator unless told otherwise', () => {
    expect(toDeployManifest(rootManifest).dependencies).not.toHaveProperty('azurite');
    expect(toDeployManifest(rootManifest, { omit: [] }).dependencies).toHaveProperty('azurite');
  });

  it('rejects a package.json without a name or version', () => {
    expect(() => toDeployManifest({ dependencies: {} })).toThrow(/name|version/);
  });
});
