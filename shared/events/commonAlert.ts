import { z } from 'zod';
import { BadRequestError } from '../errors';

/**
 * Azure Monitor's common alert schema, as action groups post it to a webhook
 * (docs: "Common alert schema" and "Sample alert payloads"). Metric, log search
 * (`Log Analytics`/`Application Insights` and `Log Alerts V2`) and activity log alerts
 * share `essentials`; `alertContext` differs per kind and is kept as sent. Several
 * essentials are null in real payloads (budget alerts send null `alertRule`,
 * `severity`, `signalType`, `alertTargetIDs`), so only what we act on is required.
 */
export const COMMON_ALERT_SCHEMA_ID = 'azureMonitorCommonAlertSchema';

export const AlertEssentials = z.looseObject({
  /** ARM id of the alert instance, e.g. /subscriptions/…/providers/Microsoft.AlertsManagement/alerts/<guid>. */
  alertId: z.string().min(1),
  alertRule: z.string().nullish(),
  /** Sev0 (critical) … Sev4 (verbose). */
  severity: z.string().nullish(),
  /** Metric, Log, Activity Log. */
  signalType: z.string().nullish(),
  monitorCondition: z.enum(['Fired', 'Resolved']),
  /** Platform, Log Analytics, Application Insights, Log Alerts V2, Activity Log - Administrative, … */
  monitoringService: z.string().nullish(),
  alertTargetIDs: z.array(z.string()).nullish(),
  configurationItems: z.array(z.string()).nullish(),
  originAlertId: z.string().nullish(),
  firedDateTime: z.string().min(1),
  resolvedDateTime: z.string().nullish(),
  description: z.string().nullish(),
  essentialsVersion: z.string().nullish(),
  alertContextVersion: z.string().nullish(),
});
export type AlertEssentials = z.infer<typeof AlertEssentials>;

export const CommonAlert = z.looseObject({
  schemaId: z.literal(COMMON_ALERT_SCHEMA_ID),
  data: z.looseObject({
    essentials: AlertEssentials,
    alertContext: z.record(z.string(), z.unknown()).nullish(),
    customProperties: z.record(z.string(), z.unknown()).nullish(),
  }),
});
export type CommonAlert = z.infer<typeof CommonAlert>;

export type AlertCondition = 'Fired' | 'Resolved';

/** One alert notification, reduced to what the service matches and acts on. */
export interface ParsedAlert {
  alertId: string;
  /** The alert rule's name (the monitoring service when the rule has none, as for budgets). */
  rule: string;
  severity?: string;
  condition: AlertCondition;
  signalType?: string;
  service: string;
  /** `alertTargetIDs`, lower-cased: ARM ids are case-insensitive and Azure sends them in either case. */
  targets: string[];
  configurationItems: string[];
  firedAt: string;
  resolvedAt?: string;
  description?: string;
  /** Azure re-sends a notification when the webhook fails; Fired and Resolved of one alert are distinct. */
  dedupeKey: string;
}

const ENABLE_HINT = 'enable "Use common alert schema" on the action group\'s webhook action';

/**
 * Reads a webhook body in the common alert schema, or throws a BadRequestError naming
 * the field that is wrong (legacy per-signal schemas are refused, not guessed at).
 */
export function parseCommonAlert(body: unknown): ParsedAlert {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError(`expected a JSON object in the Azure Monitor common alert schema; ${ENABLE_HINT}`, 'body');
  }
  const schemaId = (body as { schemaId?: unknown }).schemaId;
  if (schemaId !== COMMON_ALERT_SCHEMA_ID) {
    const got = schemaId === undefined ? 'no schemaId' : `schemaId ${JSON.stringify(schemaId)}`;
    throw new BadRequestError(
      `${got}: only the common alert schema ("${COMMON_ALERT_SCHEMA_ID}") is accepted; ${ENABLE_HINT}`,
      'body.schemaId',
    );
  }
  const parsed = CommonAlert.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadRequestError(
      `${issue.message}; the body is not a valid common-schema alert (${ENABLE_HINT})`,
      ['body', ...issue.path.map(String)].join('.'),
    );
  }
  const e = parsed.data.data.essentials;
  const service = e.monitoringService ?? 'unknown';
  return {
    alertId: e.alertId,
    rule: e.alertRule || service,
    severity: e.severity ?? undefined,
    condition: e.monitorCondition,
    signalType: e.signalType ?? undefined,
    service,
    targets: (e.alertTargetIDs ?? []).map((id) => id.toLowerCase()),
    configurationItems: e.configurationItems ?? [],
    firedAt: e.firedDateTime,
    resolvedAt: e.resolvedDateTime ?? undefined,
    description: e.description || undefined,
    dedupeKey: `${e.alertId}:${e.monitorCondition}`,
  };
}
