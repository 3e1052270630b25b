import type { AutopilotConfig } from '../../shared/config/schema';
import {
  deliverNotification,
  listDeadLetters,
  NotificationOutbox,
  redeliverDeadLetter,
  sentKey,
  type DeadLetter,
  type DeliveryOutcome,
  type NotificationJob,
  type WebhookDeliveryOptions,
} from '../../shared/notifications';
import type { Clock, Logger } from '../../shared/ports';
import type { Storage } from '../azure/storage';
import { fetchWebhookTransport } from './fetchWebhookTransport';
import { resolveWebhooks } from './resolveWebhooks';

export const NOTIFICATIONS_QUEUE = 'autopilot-notifications';
export const NOTIFICATIONS_TABLE = 'notifications';

export interface Notifications {
  readonly outbox: NotificationOutbox;
  /** Sends one queued job (the notifications queue function calls this). */
  deliver(job: NotificationJob): Promise<DeliveryOutcome>;
  deadLetters(options?: { limit?: number; pipeline?: string }): Promise<DeadLetter[]>;
  redeliver(id: string): Promise<DeadLetter>;
}

/** The host settings notifications use (adapters/settings.ts validates them). */
export interface NotificationSettings {
  /** AUTOPILOT_NOTIFY_MAX_ATTEMPTS, _BACKOFF_SECONDS, _TIMEOUT_MS; unset: the core's defaults. */
  notify: { maxAttempts?: number; backoffSeconds?: number; timeoutMs?: number };
  /** Base of the links in messages, read per delivery (AUTOPILOT_PUBLIC_URL…). */
  linkBaseUrl(): string;
  /** A setting autopilot.yaml names: a webhook's urlFrom or secretFrom. */
  namedSetting(name: string): string | undefined;
}

/**
 * Wires the notifications core to storage (queue `autopilot-notifications`, table
 * `notifications`) and fetch, with the webhooks autopilot.yaml names.
 */
export function createNotifications(
  config: AutopilotConfig,
  file: string,
  settings: NotificationSettings,
  storage: Storage,
  clock: Clock,
  logger: Logger,
): Notifications {
  const webhooks = resolveWebhooks(config, file, settings.namedSetting);
  const table = storage.table(NOTIFICATIONS_TABLE);
  const queue = storage.queue<NotificationJob>(NOTIFICATIONS_QUEUE);
  const { timeoutMs, ...options } = settings.notify;
  const transport = fetchWebhookTransport(timeoutMs === undefined ? {} : { timeoutMs });
  const deps = {
    table,
    queue,
    transport,
    clock,
    logger,
    options: options satisfies WebhookDeliveryOptions,
    webhook: (pipeline: string, name: string) => webhooks.get(`${pipeline}/${name}`),
  };
  return {
    outbox: new NotificationOutbox({ config, table, queue, clock, logger }),
    // Read per delivery: the local host learns its port (and sets the URL) after the app started.
    deliver: (job) => deliverNotification(job, { ...deps, options: { ...options, publicBaseUrl: settings.linkBaseUrl() } }),
    deadLetters: (o) => listDeadLetters(table, o),
    redeliver: (id) => redeliverDeadLetter(table, queue, id, sentKey),
  };
}
