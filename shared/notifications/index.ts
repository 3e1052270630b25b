/**
 * @module Notifications: which published events go to which webhook, the messages people read
 * (Teams, Slack, CloudEvents), digests of breaches, Standard Webhooks signing, and durable
 * delivery with retries and dead letters. Pure core: HTTP and storage come in as ports.
 */
export { notificationKindOf, BREACH_KINDS } from './notificationKind';
export { toNotificationMessage, type NotificationMessage, type DigestNote } from './notificationMessage';
export { toSlackPayload, SLACK_LIMITS, type SlackPayload, type SlackBlock } from './slackMessage';
export { toTeamsPayload, TEAMS_LIMITS, TeamsMessageTooLargeError, type TeamsPayload } from './teamsMessage';
export { formatBody } from './formatBody';
export { signRequest, signingSecretProblem } from './signRequest';
export { digestBreach, type DigestState } from './digest';
export { retryDelaySeconds, parseRetryAfter } from './retryDelay';
export { NotificationJob, type ResolvedWebhook, type WebhookTransport } from './notificationJob';
export { NotificationOutbox, notifyingPublisher, fitEvent } from './notificationOutbox';
export {
  deliverNotification,
  sentKey,
  type DeliveryOutcome,
  type WebhookDeliveryOptions,
  type WebhookDeliveryDeps,
} from './webhookDelivery';
export { listDeadLetters, redeliverDeadLetter, type DeadLetter } from './deadLetters';
export { redactUrl } from './redactUrl';
