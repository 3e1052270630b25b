import { z } from 'zod';

/**
 * `pipelines.<name>.notifications` of autopilot.yaml: outbound webhooks per pipeline.
 * Secrets never live in the file: a chat webhook URL is itself a credential (anyone who has
 * it can post), so it may come from an app setting (`urlFrom`), and the signing secret
 * always does (`secretFrom`). Documented in docs/configuration.md and docs/notifications.md.
 */

/** What a webhook can be told about; `stage_changed` is the only one that is not a decision. */
export const NOTIFICATION_KINDS = [
  'started',
  'stage_changed',
  'waiting_for_approval',
  'promoted',
  'rejected',
  'rolled_back',
  'failed',
  'cancelled',
  'drift',
  'data_quality',
  'model_quality',
] as const;
export const NotificationKind = z.enum(NOTIFICATION_KINDS);
export type NotificationKind = z.infer<typeof NotificationKind>;

/** Decisions and breaches: everything but the stage-by-stage progress. */
export const DEFAULT_NOTIFICATION_KINDS: readonly NotificationKind[] = NOTIFICATION_KINDS.filter((k) => k !== 'stage_changed');

export const WEBHOOK_FORMATS = ['cloudevents', 'teams', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

const settingName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an app setting / environment variable (letters, digits, _), not its value');

export const WebhookConfig = z
  .strictObject({
    /** Names the webhook in logs, dead letters and idempotency keys. @default `webhook-<n>` (1-based position) */
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'use 1-63 letters, digits, _ or -')
      .optional(),
    /** The receiver's URL, written in the file (only for URLs that carry no credential). */
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** The app setting that holds the URL (Teams and Slack URLs are credentials). */
    urlFrom: settingName.optional(),
    /** Body format. @default cloudevents */
    format: z.enum(WEBHOOK_FORMATS).default('cloudevents'),
    /**
     * The app setting that holds the Standard Webhooks secret (`whsec_<base64>`); every
     * request is then signed. Required for `cloudevents`, optional for `teams` and `slack`
     * (their endpoints do not verify signatures; their URL is the credential).
     */
    secretFrom: settingName.optional(),
    /** What to send. @default every kind except stage_changed */
    events: z.array(NotificationKind).min(1, 'list at least one event, or remove the webhook').optional(),
  })
  .superRefine((hook, ctx) => {
    if ((hook.url === undefined) === (hook.urlFrom === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'set exactly one of url (in the file) or urlFrom (the app setting that holds the URL)',
      });
    }
    if (hook.format === 'cloudevents' && !hook.secretFrom) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretFrom'],
        message: 'cloudevents webhooks are signed (Standard Webhooks): name the app setting that holds a whsec_<base64> secret',
      });
    }
  });
export type WebhookConfig = z.infer<typeof WebhookConfig>;

export const NotificationsPolicy = z
  .strictObject({
    /** Drift and quality breaches: at most one message per pipeline and kind in this many minutes; the rest are counted into the next. @default 60 */
    digestMinutes: z.number().min(0).default(60),
    /** Receivers of this pipeline's events. @default [] */
    webhooks: z.array(WebhookConfig).default([]),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.webhooks.forEach((hook, i) => {
      const name = webhookName(hook, i);
      if (seen.has(name))
        ctx.addIssue({
          code: 'custom',
          path: ['webhooks', i, 'name'],
          message: `webhook name '${name}' is used twice; names must be unique per pipeline`,
        });
      seen.add(name);
    });
  });
export type NotificationsPolicy = z.infer<typeof NotificationsPolicy>;

export function webhookName(hook: Pick<WebhookConfig, 'name'>, index: number): string {
  return hook.name ?? `webhook-${index + 1}`;
}
