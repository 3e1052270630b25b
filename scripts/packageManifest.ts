/**
 * @module The package.json of the zip-deployable function app, derived from the repo's own.
 * Pure, so a unit test can check it without compiling anything.
 */
import { z } from 'zod';

const RootManifest = z.looseObject({
  name: z.string(),
  version: z.string(),
  description: z.string().optional(),
  license: z.string().optional(),
  engines: z.record(z.string(), z.string()).optional(),
  dependencies: z.record(z.string(), z.string()).default({}),
});
export type RootManifest = z.input<typeof RootManifest>;

export interface DeployManifest {
  name: string;
  version: string;
  description?: string;
  license?: string;
  private: true;
  type: 'commonjs';
  main: string;
  engines?: Record<string, string>;
  dependencies: Record<string, string>;
}

export interface DeployManifestOptions {
  /** Entry module the Functions host loads; it registers every function. @default 'dist/functions/index.js' */
  main?: string;
  /**
   * Runtime dependencies Azure never loads. Azurite is the local storage emulator: the
   * embedded stack starts it, the function app in Azure talks to a real storage account.
   * @default ['azurite']
   */
  omit?: string[];
}

export const DEPLOY_MAIN = 'dist/functions/index.js';

/**
 * Keeps what the Functions host and `npm install --omit=dev` need: the identity, `main` and
 * production dependencies. No devDependencies, no scripts (nothing is built on the server),
 * no `bin` (the CLI is not deployed).
 */
export function toDeployManifest(root: unknown, options: DeployManifestOptions = {}): DeployManifest {
  const parsed = RootManifest.parse(root);
  const omit = new Set(options.omit ?? ['azurite']);
  const dependencies = Object.fromEntries(Object.entries(parsed.dependencies).filter(([name]) => !omit.has(name)));
  return {
    name: parsed.name,
    version: parsed.version,
    ...(parsed.description ? { description: parsed.description } : {}),
    ...(parsed.license ? { license: parsed.license } : {}),
    private: true,
    type: 'commonjs',
    main: options.main ?? DEPLOY_MAIN,
    ...(parsed.engines ? { engines: parsed.engines } : {}),
    dependencies,
  };
}
