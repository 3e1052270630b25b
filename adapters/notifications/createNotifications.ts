import type { AutopilotConfig } from '../../shared/config/schema';
import { ConfigError } from '../../shared/errors';
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

/**
 * Wires the notifications core to storage (queue `autopilot-notifications`, table
 * `notifications`) and fetch. App settings: AUTOPILOT_PUBLIC_URL (links in messages),
 * AUTOPILOT_NOTIFY_MAX_ATTEMPTS, AUTOPILOT_NOTIFY_BACKOFF_SECONDS, AUTOPILOT_NOTIFY_TIMEOUT_MS.
 */
export function createNotifications(
  config: AutopilotConfig,
  file: string,
  env: NodeJS.ProcessEnv,
  storage: Storage,
  clock: Clock,
  logger: Logger,
): Notifications {
  const webhooks = resolveWebhooks(config, file, env);
  const table = storage.table(NOTIFICATIONS_TABLE);
  const queue = storage.queue<NotificationJob>(NOTIFICATIONS_QUEUE);
  const options: WebhookDeliveryOptions = {
    ...numberSetting(env, 'AUTOPILOT_NOTIFY_MAX_ATTEMPTS', 'maxAttempts', 1, 50),
    ...numberSetting(env, 'AUTOPILOT_NOTIFY_BACKOFF_SECONDS', 'backoffSeconds', 0, 3600),
  };
  const transport = fetchWebhookTransport(numberSetting(env, 'AUTOPILOT_NOTIFY_TIMEOUT_MS', 'timeoutMs', 100, 120_000));
  const deps = {
    table,
    queue,
    transport,
    clock,
    logger,
    options,
    webhook: (pipeline: string, name: string) => webhooks.get(`${pipeline}/${name}`),
  };
  return {
    outbox: new NotificationOutbox({ config, table, queue, clock, logger }),
    // Read per delivery: the local host learns its port (and sets the URL) after the app started.
    deliver: (job) => deliverNotification(job, { ...deps, options: { ...options, publicBaseUrl: publicUrl(env) } }),
    deadLetters: (o) => listDeadLetters(table, o),
    redeliver: (id) => redeliverDeadLetter(table, queue, id, sentKey),
  };
}

/** Where people open the dashboard: AUTOPILOT_PUBLIC_URL, else the app's host name on Azure, else the local host. */
function publicUrl(env: NodeJS.ProcessEnv): string {
  return env.AUTOPILOT_PUBLIC_URL || (env.WEBSITE_HOSTNAME ? `https://${env.WEBSITE_HOSTNAME}` : 'http://127.0.0.1:7071');
}

function numberSetting<K extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  key: K,
  min: number,
  max: number,
): Partial<Record<K, number>> {
  const raw = env[name];
  if (raw === undefined || raw === '') return {};
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(name, [{ path: '', message: `expected a number from ${min} to ${max}, got '${raw}'` }]);
  }
  return { [key]: value } as Partial<Record<K, number>>;
}
