import { z } from 'zod';
import { DeadLettersResponse, RedeliveredResponse } from '../../shared/api/notificationResponses';
import { DEAD_LETTER_ID } from '../../shared/notifications/deadLetters';
import { wholeNumberParam } from './queryParams';
import { apiRoute } from './respond';

const DeadLettersQuery = z.object({ limit: wholeNumberParam(1, 500, 100), pipeline: z.string().min(1).max(100).optional() });
const DeadLetterParams = z.object({
  id: z
    .string()
    .regex(DEAD_LETTER_ID, 'must be a dead letter id from GET /api/notifications/dead-letters')
    .meta({ description: 'A dead letter id from `GET /api/notifications/dead-letters`.' }),
});

/** Notifications that gave up after their retries, newest first (URLs reduced to their origin). */
apiRoute(
  'listNotificationDeadLetters',
  {
    route: 'notifications/dead-letters',
    method: 'GET',
    action: 'read',
    query: DeadLettersQuery,
    summary: 'Notifications that gave up after their retries, newest first (receivers shown by origin only).',
    responses: { 200: { description: 'The dead letters', json: DeadLettersResponse } },
  },
  async (_request, s, _caller, { query: { limit, pipeline } }) => {
    return { jsonBody: { deadLetters: await s.notifications.deadLetters({ limit, ...(pipeline ? { pipeline } : {}) }) } };
  },
);

/** Queues a dead letter again from its first attempt (ML engineer, prod). */
apiRoute(
  'redeliverNotification',
  {
    route: 'notifications/dead-letters/{id}/redeliver',
    method: 'POST',
    action: 'notifications:redeliver',
    params: DeadLetterParams,
    summary: 'Queues a dead letter again from its first attempt.',
    responses: { 202: { description: 'Queued again', json: RedeliveredResponse } },
  },
  async (_request, s, caller, { params }) => {
    const letter = await s.notifications.redeliver(params.id);
    // Speaking for the service to a team's channel is a mutating act: it goes in the audit log.
    await s.releases.audit({
      at: s.clock.now().toISOString(),
      pipeline: letter.pipeline,
      actor: caller!.name,
      action: 'redeliver notification',
      why: `${letter.eventType} ${letter.eventId} to webhook ${letter.webhook}`,
    });
    return {
      status: 202 as const,
      jsonBody: { redelivered: { id: letter.id, pipeline: letter.pipeline, webhook: letter.webhook, eventId: letter.eventId } },
    };
  },
);
