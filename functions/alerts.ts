import { app } from '@azure/functions';
import { z } from 'zod';
import { STATE_TABLE, type Services } from '../adapters/compose';
import { listAlerts, reactToAlert, type AlertDeps } from '../shared/alerts/reactToAlert';
import { externalDrift } from './monitorDeps';
import { parseCommonAlert } from '../shared/events/commonAlert';
import type { EndpointInfo } from '../shared/ports';
import { parseQuery, wholeNumberParam } from './http/queryParams';
import { api, apiRoute, jsonBodyOf } from './http/respond';

/** The reaction's ports, from the app's services. */
export function alertDeps(s: Services): AlertDeps {
  return {
    table: s.storage.table(STATE_TABLE),
    engine: s.control,
    listEndpoints: async () => {
      const lists: EndpointInfo[][] = await Promise.all(Object.values(s.workspaces).map((w) => w.listEndpoints()));
      return lists.flat();
    },
    events: s.events,
    clock: s.clock,
    logger: s.logger,
    onDriftAlert: (endpoint, reason) => externalDrift(s, { endpoint }, reason),
  };
}

/**
 * The Azure Monitor webhook. An action group calls it with the function key in the URL
 * (`/api/alerts?code=<key>`), so the host refuses forged calls before this runs; the
 * body must be in the common alert schema. Any 2xx tells Azure the alert arrived.
 */
app.http('receiveAlert', {
  route: 'alerts',
  methods: ['POST'],
  authLevel: 'function',
  handler: api(async (request, context, s) => {
    const alert = parseCommonAlert(await jsonBodyOf(request));
    const reaction = await reactToAlert(alert, alertDeps(s));
    const { record } = reaction;
    context.log(`alert ${alert.rule} ${alert.condition} on ${alert.targets.join(', ') || '(no targets)'}: ${reaction.kind}`);
    return {
      status: 200,
      jsonBody: {
        outcome: reaction.kind,
        alertId: alert.alertId,
        condition: alert.condition,
        endpoints: record.endpoints,
        releases: record.releases,
        ...(record.reason ? { reason: record.reason } : {}),
      },
    };
  }),
});

const ListQuery = z.object({ limit: wholeNumberParam(1, 1000, 100) });

apiRoute('listAlerts', { route: 'alerts', method: 'GET', action: 'read' }, async (request, s) => {
  const query = parseQuery(ListQuery, request);
  return { jsonBody: { alerts: await listAlerts(s.storage.table(STATE_TABLE), query.limit) } };
});
