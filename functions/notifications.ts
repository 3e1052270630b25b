import { app, type InvocationContext } from '@azure/functions';
import { NotificationJob } from '../shared/notifications';
import { NOTIFICATIONS_QUEUE } from '../adapters/notifications';
import { withInvocation } from '../adapters/telemetry';
import { services } from './services';

/**
 * Sends one notification per message (shared/notifications/webhookDelivery.ts). Retries are
 * ours (the job is queued again with a backoff), so this throws only when storage fails; a
 * message that does not parse throws too and ends in `autopilot-notifications-poison`.
 */
export async function onNotification(message: unknown, context: InvocationContext): Promise<void> {
  const job = NotificationJob.parse(message);
  const correlation = { pipeline: job.pipeline, webhook: job.webhook, eventId: job.event.id };
  await withInvocation(context, correlation, async () => {
    const outcome = await (await services()).notifications.deliver(job);
    context.log(`notification ${job.kind} ${job.event.id} to ${job.pipeline}/${job.webhook} (attempt ${job.attempt}): ${outcome}`);
  });
}

app.storageQueue('notifications', { queueName: NOTIFICATIONS_QUEUE, connection: 'AzureWebJobsStorage', handler: onNotification });
