import { app } from '@azure/functions';
import { ENVIRONMENTS } from '../../shared/config/schema';
import { api, requireRole } from './respond';

const VERSION: string = (require('../../package.json') as { version: string }).version;

app.http('health', {
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: api(async (_request, _context, s) => ({
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
  })),
});

app.http('listEndpoints', {
  route: 'endpoints',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: api(async (request, _context, s) => {
    requireRole(request, s, 'read');
    const lists = await Promise.all(ENVIRONMENTS.map((e) => s.workspaces[e].listEndpoints()));
    return { jsonBody: { endpoints: lists.flat() } };
  }),
});

app.http('listModels', {
  route: 'models',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: api(async (request, _context, s) => {
    requireRole(request, s, 'read');
    const name = request.query.get('name') ?? undefined;
    const lists = await Promise.all(
      ENVIRONMENTS.map(async (environment) => (await s.workspaces[environment].listModels(name)).map((m) => ({ ...m, environment }))),
    );
    return { jsonBody: { models: lists.flat() } };
  }),
});
