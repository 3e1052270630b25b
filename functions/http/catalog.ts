import { ENVIRONMENTS } from '../../shared/config/schema';
import { z } from 'zod';
import { EndpointsResponse, EventsResponse, HealthResponse, ModelsResponse } from '../../shared/api/catalogResponses';
import { wholeNumberParam } from './queryParams';
import { apiRoute } from './respond';

const EventsQuery = z.object({ limit: wholeNumberParam(1, 500, 50), type: z.string().min(1).max(200).optional() });
const ModelsQuery = z.object({ name: z.string().optional().meta({ description: 'Only the versions of this model (empty: all).' }) });

const VERSION: string = (require('../../package.json') as { version: string }).version;

apiRoute(
  'health',
  {
    route: 'health',
    method: 'GET',
    action: 'anonymous',
    summary: "Liveness, version, the pipelines and each environment's backend.",
    responses: { 200: { description: 'The service is up', json: HealthResponse } },
  },
  async (_request, s) => ({
    jsonBody: {
      status: 'ok',
      version: VERSION,
      time: new Date().toISOString(),
      pipelines: Object.entries(s.config.pipelines).map(([name, p]) => ({
        name,
        container: p.data.container,
        prefix: p.data.prefix,
        labelColumn: p.data.labelColumn,
      })),
      environments: Object.fromEntries(ENVIRONMENTS.map((e) => [e, { backend: s.config.environments[e].backend }])),
    },
  }),
);

apiRoute(
  'listEndpoints',
  {
    route: 'endpoints',
    method: 'GET',
    action: 'read',
    summary: 'The online endpoints of every environment, with their live traffic split and deployments.',
    responses: { 200: { description: 'The endpoints', json: EndpointsResponse } },
  },
  async (_request, s) => {
    const lists = await Promise.all(ENVIRONMENTS.map((e) => s.workspaces[e].endpoints.listEndpoints()));
    return { jsonBody: { endpoints: lists.flat() } };
  },
);

apiRoute(
  'listModels',
  {
    route: 'models',
    method: 'GET',
    action: 'read',
    query: ModelsQuery,
    summary: 'The registered model versions of every environment, with metrics, tags and lineage.',
    responses: { 200: { description: 'The model versions', json: ModelsResponse } },
  },
  async (_request, s, _caller, { query }) => {
    const lists = await Promise.all(
      ENVIRONMENTS.map(async (environment) =>
        (await s.workspaces[environment].models.listModels(query.name || undefined)).map((m) => ({
          ...m,
          format: m.format ?? 'custom_model',
          environment,
        })),
      ),
    );
    return { jsonBody: { models: lists.flat() } };
  },
);

/** The service's own CloudEvents (releases, alerts, drift), newest first. */
apiRoute(
  'listEvents',
  {
    route: 'events',
    method: 'GET',
    action: 'read',
    query: EventsQuery,
    summary: "The service's own CloudEvents (releases, alerts, drift), newest first.",
    responses: { 200: { description: 'The events', json: EventsResponse } },
  },
  async (_request, s, _caller, { query: { limit, type } }) => {
    const events = await s.eventLog.recent(type ? 500 : limit);
    return { jsonBody: { events: (type ? events.filter((e) => e.type === type) : events).slice(0, limit) } };
  },
);
