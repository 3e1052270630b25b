import { z } from 'zod';
import { parseQuery, wholeNumberParam } from './queryParams';
import { apiRoute, parseOrThrow } from './respond';

const DeadLettersQuery = z.object({ limit: wholeNumberParam(1, 500, 100), pipeline: z.string().min(1).max(100).optional() });
const DeadLetterId = z.string().regex(/^\d{13}-[A-Za-z0-9_-]{1,900}$/, 'must be a dead letter id from GET /api/notifications/dead-letters');

/** Notifications that gave up after their retries, newest first (URLs reduced to their origin). */
apiRoute('listNotificationDeadLetters', { route: 'notifications/dead-letters', method: 'GET', action: 'read' }, async (request, s) => {
  const { limit, pipeline } = parseQuery(DeadLettersQuery, request);
  return { jsonBody: { deadLetters: await s.notifications.deadLetters({ limit, ...(pipeline ? { pipeline } : {}) }) } };
});

/** Queues a dead letter again from its first attempt (ML engineer, prod). */
apiRoute(
  'redeliverNotification',
  { route: 'notifications/dead-letters/{id}/redeliver', method: 'POST', action: 'notifications:redeliver' },
  async (request, s) => {
    const id = parseOrThrow(DeadLetterId, request.params.id, 'params.id');
    const letter = await s.notifications.redeliver(id);
    return { status: 202, jsonBody: { redelivered: { id: letter.id, pipeline: letter.pipeline, webhook: letter.webhook, eventId: letter.eventId } } };
  },
);
