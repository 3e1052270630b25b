import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, ensureError } from '../../../shared/errors';
import { parseDeploymentSpec, type DeploymentSpec } from '../../../shared/jobs/deploymentSpec';

export interface LoadedDeploymentSpec {
  spec: DeploymentSpec;
  specPath: string;
  /** SHA-256 of the spec's text: a redeploy of the same file after an edit is a change (as `az ml online-deployment update -f`). */
  digest: string;
  /** Both absent for an MLflow model deployed without code. */
  codeDir?: string;
  scriptPath?: string;
}

/** Reads a deployment spec and checks its scoring script exists (`code` is relative to the spec). */
export async function loadDeploymentSpec(specPath: string): Promise<LoadedDeploymentSpec> {
  const absolute = resolve(specPath);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new ConfigError(absolute, [{ path: '', message: `cannot read the deployment spec: ${ensureError(error).message}` }]);
  }
  const spec = parseDeploymentSpec(text, absolute);
  const digest = createHash('sha256').update(text).digest('hex');
  if (!spec.code_configuration) return { spec, specPath: absolute, digest };
  const codeDir = resolve(dirname(absolute), spec.code_configuration.code);
  const scriptPath = resolve(codeDir, spec.code_configuration.scoring_script);
  const isFile = await stat(scriptPath).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile) {
    throw new ConfigError(absolute, [
      {
        path: 'code_configuration.scoring_script',
        message: `${scriptPath} does not exist (scoring_script is relative to code, code to the spec file)`,
      },
    ]);
  }
  return { spec, specPath: absolute, digest, codeDir, scriptPath };
}
