import { join } from 'node:path';
import { NotFoundError } from '../../../shared/errors';
import { resolveDeploymentLogsOptions } from '../../../shared/endpoints/deploymentLogs';
import type { DeploymentLogs, DeploymentLogsOptions } from '../../../shared/ports';
import type { EndpointStore } from './endpointStore';
import { validateName } from './names';
import { readScoringLog } from './scoringLogFile';

/** What the deployment's scoring server printed, from its log file (it survives restarts of the stack). */
export async function localDeploymentLogs(
  store: EndpointStore,
  endpoint: string,
  deployment: string,
  options: DeploymentLogsOptions = {},
): Promise<DeploymentLogs> {
  const window = resolveDeploymentLogsOptions(options, new Date());
  // Validated before they become parts of the log file's path.
  validateName('endpoint', endpoint);
  validateName('deployment', deployment);
  const record = store.require(endpoint);
  if (!record.deployments.some((d) => d.name === deployment)) {
    throw new NotFoundError(
      'deployment',
      `${endpoint}/${deployment}`,
      `endpoint '${endpoint}' has ${record.deployments.map((d) => d.name).join(', ') || 'no deployments'}`,
    );
  }
  const lines = await readScoringLog(join(store.options.dir, endpoint, `${deployment}.log`), window);
  return { source: 'local scoring process', lines };
}
