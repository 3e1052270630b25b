import type { WebhookFormat } from '../config/notificationsSchema';
import type { EventEnvelope } from '../events/outgoing';
import type { DigestNote, NotificationMessage } from './notificationMessage';
import { toSlackPayload } from './slackMessage';
import { toTeamsPayload } from './teamsMessage';

export interface FormattedBody {
  contentType: string;
  body: string;
}

/**
 * The request body for a webhook's format. `cloudevents` is the event itself in the
 * CloudEvents 1.0 structured JSON mode (one event per request; a digest adds the extension
 * attribute `autopilotfolded`, the number of breaches of this kind not sent one by one).
 */
export function formatBody(format: WebhookFormat, event: EventEnvelope, message: NotificationMessage, digest?: DigestNote): FormattedBody {
  switch (format) {
    case 'teams':
      return { contentType: 'application/json', body: JSON.stringify(toTeamsPayload(message)) };
    case 'slack':
      return { contentType: 'application/json', body: JSON.stringify(toSlackPayload(message)) };
    case 'cloudevents':
      return {
        contentType: 'application/cloudevents+json; charset=utf-8',
        body: JSON.stringify({
          specversion: '1.0',
          datacontenttype: 'application/json',
          ...event,
          ...(digest && digest.folded > 0 ? { autopilotfolded: digest.folded } : {}),
        }),
      };
  }
}
