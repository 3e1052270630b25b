import { z } from 'zod';
import { EnvironmentName, endpointOwner } from '../../shared/config/schema';
import { BadRequestError } from '../../shared/errors';
import { DeploymentLogsResponse } from '../../shared/api/catalogResponses';
import { wholeNumberParam } from './queryParams';
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
const LogsParams = z.object({
  endpoint: z.string().min(1).meta({ description: 'An endpoint name, e.g. `default-prod`.' }),
  deployment: z.string().min(1).meta({ description: 'A deployment of it, e.g. `v002`.' }),
});

apiRoute(
  'deploymentLogs',
  {
    route: 'endpoints/{endpoint}/deployments/{deployment}/logs',
    method: 'GET',
    action: 'read',
    params: LogsParams,
    query: LogsQuery,
    summary: "What a deployment's scoring server printed (its tail, or since a time).",
    responses: { 200: { description: 'The log lines, oldest first', json: DeploymentLogsResponse } },
  },
  async (_request, s, _caller, { params: { endpoint, deployment }, query }) => {
    const environment = query.environment ?? endpointOwner(endpoint)?.environment;
    if (!environment) {
      throw new BadRequestError(
        `cannot tell the environment of endpoint '${endpoint}' from its name (not <pipeline>-dev|staging|prod); pass ?environment=`,
        'query.environment',
      );
    }
    const logs = await s.workspaces[environment].logs.deploymentLogs(endpoint, deployment, {
      tail: query.tail,
      ...(query.since !== undefined ? { since: query.since } : {}),
    });
    return { jsonBody: { endpoint, deployment, environment, ...logs } };
  },
);
