import { z } from 'zod';
import { listAlerts, reactToAlert } from '../shared/alerts/reactToAlert';
import { AlertReceipt, AlertsResponse } from '../shared/api/monitoringResponses';
import { CommonAlert, parseCommonAlert } from '../shared/events/commonAlert';
import { wholeNumberParam } from './http/queryParams';
import { apiRoute } from './http/respond';

/**
 * The Azure Monitor webhook. An action group calls it with the function key in the URL
 * (`/api/alerts?code=<key>`), so the host refuses forged calls before this runs; the
 * body must be in the common alert schema. Any 2xx tells Azure the alert arrived.
 */
apiRoute(
  'receiveAlert',
  {
    route: 'alerts',
    method: 'POST',
    action: 'function-key',
    // parseCommonAlert's messages say how to turn the common schema on; CommonAlert is what it checks.
    body: { schema: CommonAlert, parse: parseCommonAlert },
    summary: 'The Azure Monitor webhook (common alert schema): matches the alert to endpoints and rolls back a canary it fires on.',
    responses: { 200: { description: 'What was done with the alert', json: AlertReceipt } },
  },
  async (_request, s, _caller, { body: alert, context }) => {
    const reaction = await reactToAlert(alert, s.alerts);
    const { record } = reaction;
    context.log(`alert ${alert.rule} ${alert.condition} on ${alert.targets.join(', ') || '(no targets)'}: ${reaction.kind}`);
    return {
      jsonBody: {
        outcome: reaction.kind,
        alertId: alert.alertId,
        condition: alert.condition,
        endpoints: record.endpoints,
        releases: record.releases,
        ...(record.reason ? { reason: record.reason } : {}),
      },
    };
  },
);

const ListQuery = z.object({ limit: wholeNumberParam(1, 1000, 100) });

apiRoute(
  'listAlerts',
  {
    route: 'alerts',
    method: 'GET',
    action: 'read',
    query: ListQuery,
    summary: 'The alerts received, newest first, with what was done about each.',
    responses: { 200: { description: 'The alerts', json: AlertsResponse } },
  },
  async (_request, s, _caller, { query }) => {
    return { jsonBody: { alerts: await listAlerts(s.alerts.table, query.limit) } };
  },
);
