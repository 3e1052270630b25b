import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseConfig } from '../shared/config/parseConfig';
import type { AutopilotConfig, PipelineConfig } from '../shared/config/schema';
import { parseJobSpec } from '../shared/jobs/jobSpec';
import { parseDeploymentSpec } from '../shared/jobs/deploymentSpec';
import { resolveTrainingPorts } from '../shared/jobs/trainingPorts';
import { ConfigError } from '../shared/errors';
import type { AppSettingsEnvironments } from './appSettingsEnvironments';

/**
 * Reads autopilot.yaml (with the environments the app settings name, see appSettingsEnvironments.ts) and resolves the job and deployment spec paths it names
 * (relative to the file), so a missing spec fails at start-up, not mid-release.
 */
export function loadConfigFile(path: string, appEnvironments: AppSettingsEnvironments = {}): { config: AutopilotConfig; file: string } {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new ConfigError(path, [{ path: '', message: `file not found (looked at ${file}); set AUTOPILOT_CONFIG or create it` }]);
  }
  const config = parseConfig(readFileSync(file, 'utf8'), path, appEnvironments);
  const base = dirname(file);
  const missing: { path: string; message: string }[] = [];
  const locate = (value: string, where: string) => {
    const absolute = isAbsolute(value) ? value : resolve(base, value);
    if (!existsSync(absolute)) missing.push({ path: where, message: `${value} does not exist (resolved to ${absolute})` });
    return absolute;
  };
  for (const [name, pipeline] of Object.entries(config.pipelines)) {
    pipeline.training.job = locate(pipeline.training.job, `pipelines.${name}.training.job`);
    pipeline.deployment.spec = locate(pipeline.deployment.spec, `pipelines.${name}.deployment.spec`);
  }
  if (missing.length) throw new ConfigError(path, missing);
  for (const [name, pipeline] of Object.entries(config.pipelines)) {
    resolvePorts(path, name, pipeline);
    // A field the deployment spec cannot carry is a start-up error naming it, not a failed release.
    parseDeploymentSpec(readFileSync(pipeline.deployment.spec, 'utf8'), pipeline.deployment.spec);
  }
  return { config, file };
}

/** Fills in which job input gets the data (and the label's name) and which output is the model, or says what to set. */
function resolvePorts(configPath: string, name: string, pipeline: PipelineConfig): void {
  const spec = parseJobSpec(readFileSync(pipeline.training.job, 'utf8'), pipeline.training.job);
  const ports = resolveTrainingPorts(pipeline.training, spec);
  if ('problems' in ports) {
    throw new ConfigError(
      configPath,
      ports.problems.map((p) => ({ path: `pipelines.${name}.training.${p.key}`, message: `${p.message} in ${pipeline.training.job}` })),
    );
  }
  Object.assign(pipeline.training, ports);
}
