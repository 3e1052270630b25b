import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { AutopilotConfig, EnvironmentName } from '../../../shared/config/schema';
import {
  checkResult,
  messageOf,
  parseComputeReference,
  parseEnvironmentReference,
  servingContainerCheck,
  type CheckResult,
} from '../../../shared/doctor';
import { parseDeploymentSpec, parseJobSpec } from '../../../shared/jobs';
import type { WorkspaceAssets } from './workspaceChecks';

/**
 * The computes and environments each workspace needs, from the pipelines' specs: training
 * jobs run in dev (compute + environment), deployments go to every environment (environment).
 * Specs the azure adapter could not submit become results of their own.
 */
export function collectSpecAssets(
  config: AutopilotConfig,
  azureEnvironments: readonly EnvironmentName[],
  cwd: string,
): { assets: Record<EnvironmentName, WorkspaceAssets>; problems: CheckResult[] } {
  const empty = (): WorkspaceAssets => ({ computes: new Map(), environments: new Map() });
  const assets: Record<EnvironmentName, WorkspaceAssets> = { dev: empty(), staging: empty(), prod: empty() };
  const problems: CheckResult[] = [];
  const show = (file: string) => relative(cwd, file) || file;
  const addEnvironment = (env: EnvironmentName, text: string, spec: string) => {
    const ref = parseEnvironmentReference(text);
    if (!ref) {
      problems.push(
        checkResult(
          `spec ${spec}`,
          'warn',
          `environment '${text}' is not a form the doctor can look up`,
          'Use `environment: azureml:<name>@latest` or `azureml:<name>:<version>`',
        ),
      );
      return;
    }
    const key = `${ref.name}@${ref.version}`;
    const entry = assets[env].environments.get(key) ?? { ref, specs: [] };
    if (!entry.specs.includes(spec)) entry.specs.push(spec);
    assets[env].environments.set(key, entry);
  };
  for (const [pipeline, settings] of Object.entries(config.pipelines)) {
    const jobFile = show(settings.training.job);
    const deploymentFile = show(settings.deployment.spec);
    if (azureEnvironments.includes('dev')) {
      try {
        const job = parseJobSpec(readFileSync(settings.training.job, 'utf8'), jobFile);
        if (job.environment === undefined) {
          problems.push(
            checkResult(
              `spec ${jobFile}`,
              'fail',
              `pipeline '${pipeline}': the job spec names no environment, which Azure ML needs`,
              'Add `environment: azureml:<name>@latest` (or `azureml:<name>:<version>`, or inline with image or build) to the job spec',
            ),
          );
        } else if (typeof job.environment === 'string') addEnvironment('dev', job.environment, jobFile);
        const compute = job.compute === undefined ? undefined : parseComputeReference(job.compute);
        if (job.compute === undefined) {
          problems.push(
            checkResult(
              `spec ${jobFile}`,
              'fail',
              `pipeline '${pipeline}': the job spec names no compute, so Azure ML refuses the job`,
              'Add `compute: azureml:<compute-name>` to the job spec',
            ),
          );
        } else if (!compute) {
          problems.push(
            checkResult(
              `spec ${jobFile}`,
              'warn',
              `compute '${job.compute}' is not a form the doctor can look up`,
              'Use `compute: azureml:<compute-name>`',
            ),
          );
        } else {
          const specs = assets.dev.computes.get(compute) ?? [];
          if (!specs.includes(jobFile)) specs.push(jobFile);
          assets.dev.computes.set(compute, specs);
        }
      } catch (error) {
        problems.push(checkResult(`spec ${jobFile}`, 'fail', messageOf(error)));
      }
    }
    try {
      const deployment = parseDeploymentSpec(readFileSync(settings.deployment.spec, 'utf8'), deploymentFile);
      if (typeof deployment.environment === 'string') {
        for (const env of azureEnvironments) addEnvironment(env, deployment.environment, deploymentFile);
      }
      const serving = azureEnvironments.length ? servingContainerCheck(deployment, deploymentFile, pipeline) : undefined;
      if (serving) problems.push(serving);
    } catch (error) {
      if (azureEnvironments.length) problems.push(checkResult(`spec ${deploymentFile}`, 'fail', messageOf(error)));
    }
  }
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.name === p.name && q.detail === p.detail) === i);
  return { assets, problems: unique };
}
