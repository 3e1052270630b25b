import { z } from 'zod';
import { EnvironmentName, endpointOwner } from '../../shared/config/schema';
import { BadRequestError } from '../../shared/errors';
import { parseQuery, wholeNumberParam } from './queryParams';
import { apiRoute } from './respond';

// Loose: callers may add query parameters of their own (the Functions `code` key, cache busters).
const LogsQuery = z.object({
  environment: EnvironmentName.optional(),
  tail: wholeNumberParam(1, 5000, 100),
  since: z.string().min(1).optional(),
});

/**
 * What a deployment's scoring server printed (GET …/logs?environment=&tail=&since=), e.g. why a
 * canary was rolled back. The environment defaults to the one the endpoint name ends with.
 */
apiRoute('deploymentLogs', { route: 'endpoints/{endpoint}/deployments/{deployment}/logs', method: 'GET', action: 'read' }, async (request, s) => {
  const endpoint = request.params.endpoint ?? '';
  const deployment = request.params.deployment ?? '';
  const query = parseQuery(LogsQuery, request);
  const environment = query.environment ?? endpointOwner(endpoint)?.environment;
  if (!environment) {
    throw new BadRequestError(`cannot tell the environment of endpoint '${endpoint}' from its name (not <pipeline>-dev|staging|prod); pass ?environment=`, 'query.environment');
  }
  const workspace = s.workspaces[environment];
  const logs = await workspace.deploymentLogs(endpoint, deployment, {
    tail: query.tail,
    ...(query.since !== undefined ? { since: query.since } : {}),
  });
  return { jsonBody: { endpoint, deployment, environment, ...logs } };
});
