/** @module Notifications on storage and fetch: the outbox queue, delivery, dead letters. */
export { createNotifications, NOTIFICATIONS_QUEUE, NOTIFICATIONS_TABLE, type Notifications } from './createNotifications';
export { fetchWebhookTransport } from './fetchWebhookTransport';
export { resolveWebhooks } from './resolveWebhooks';
