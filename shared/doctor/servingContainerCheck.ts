import type { DeploymentSpec } from '../jobs/deploymentSpec';
import { checkResult, type CheckResult } from './checkResult';

/**
 * Whether Azure ML can start a deployment's scoring script. Its own inference server runs
 * Python entry scripts only; a Node (or other) script needs a custom container whose
 * environment declares the routes it serves (inference_config). What no check here can
 * prove is that the image builds and starts on Azure ML: the doctor says so.
 */
export function servingContainerCheck(spec: DeploymentSpec, file: string, pipeline: string): CheckResult | undefined {
  const script = spec.code_configuration?.scoring_script;
  if (!script || /\.py$/i.test(script)) return undefined;
  const name = `serving ${file}`;
  const environment = spec.environment;
  if (typeof environment === 'object' && environment.inference_config) {
    const where = environment.build ? `built by Azure ML from ${environment.build.path}` : `image ${environment.image}`;
    const route = environment.inference_config.scoring_route;
    return checkResult(
      name,
      'ok',
      `pipeline '${pipeline}': ${script} runs in a custom container (${where}, scoring on :${route.port}${route.path}). ` +
        'Not verifiable before a real deployment: that Azure ML builds and starts the image (tested here: the bundle, the scoring server, the request bodies)',
    );
  }
  const fix =
    'Serve it from a custom container with inference_config, as examples/tabular/azure/deployment.yaml does (Dockerfile + `npm run build:example`), or use a Python score.py';
  if (typeof environment === 'string') {
    return checkResult(
      name,
      'warn',
      `pipeline '${pipeline}': Azure ML's inference server runs Python scoring scripts only; ${script} starts only if environment '${environment}' is a custom container with inference_config`,
      fix,
    );
  }
  return checkResult(
    name,
    'fail',
    `pipeline '${pipeline}': Azure ML's inference server runs Python scoring scripts only, and this environment declares no inference_config: ${script} would not start`,
    fix,
  );
}
