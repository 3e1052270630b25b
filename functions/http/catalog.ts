import { ENVIRONMENTS } from '../../shared/config/schema';
import { z } from 'zod';
import { parseQuery, wholeNumberParam } from './queryParams';
import { apiRoute } from './respond';

const EventsQuery = z.object({ limit: wholeNumberParam(1, 500, 50), type: z.string().min(1).max(200).optional() });

const VERSION: string = (require('../../package.json') as { version: string }).version;

apiRoute('health', { route: 'health', method: 'GET', action: 'anonymous' }, async (_request, s) => ({
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
}));

apiRoute('listEndpoints', { route: 'endpoints', method: 'GET', action: 'read' }, async (_request, s) => {
  const lists = await Promise.all(ENVIRONMENTS.map((e) => s.workspaces[e].listEndpoints()));
  return { jsonBody: { endpoints: lists.flat() } };
});

apiRoute('listModels', { route: 'models', method: 'GET', action: 'read' }, async (request, s) => {
  const name = request.query.get('name') ?? undefined;
  const lists = await Promise.all(
    ENVIRONMENTS.map(async (environment) => (await s.workspaces[environment].listModels(name)).map((m) => ({ ...m, environment }))),
  );
  return { jsonBody: { models: lists.flat() } };
});

/** The service's own CloudEvents (releases, alerts, drift), newest first. */
apiRoute('listEvents', { route: 'events', method: 'GET', action: 'read' }, async (request, s) => {
  const { limit, type } = parseQuery(EventsQuery, request);
  const events = await s.storage.events.recent(type ? 500 : limit);
  return { jsonBody: { events: (type ? events.filter((e) => e.type === type) : events).slice(0, limit) } };
});
