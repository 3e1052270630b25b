import { resolve } from 'node:path';
import { z } from 'zod';
import { isTokenAudience } from '../shared/doctor';

/**
 * The zod schema of every app setting the host process reads (adapters/settings.ts turns it into
 * typed Settings; docs/settings.md lists them). Each message says what the value must be: it is
 * all a user sees when the start is refused.
 */
const seconds = (min: number, max: number, what: string) =>
  z.coerce
    .number({ message: `must be ${what}` })
    .int(`must be whole seconds (${what})`)
    .min(min, `must be at least ${min} (${what})`)
    .max(max, `must be at most ${max} (${what})`)
    .optional();

const numberFrom = (min: number, max: number, what: string) =>
  z.coerce
    .number({ message: `must be ${what}` })
    .min(min, `must be ${what}`)
    .max(max, `must be ${what}`)
    .optional();

const optionalText = z.string().optional();

/** Azure's APIs (sovereign clouds, private endpoints): https only, without a trailing slash. */
const httpsEndpoint = optionalText
  .refine((v) => v === undefined || /^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(v), {
    message: 'must be an https URL, e.g. https://management.usgovcloudapi.net',
  })
  .transform((v) => v?.replace(/\/+$/, ''));

const EVENTGRID_EXAMPLE = 'https://<topic>.<region>-1.eventgrid.azure.net/api/events';

/** The topic endpoint as the portal shows it; a bare host gets the documented `/api/events` path. */
const eventGridEndpoint = optionalText.transform((value, ctx) => {
  if (value === undefined) return undefined;
  const refuse = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  if (!URL.canParse(value)) return refuse(`must be an absolute URL, the topic endpoint, e.g. ${EVENTGRID_EXAMPLE}`);
  const url = new URL(value);
  if (url.protocol !== 'https:' || url.search || url.username || url.password)
    return refuse(`must be an https URL without query or user info (keys go in AUTOPILOT_EVENTGRID_KEY), e.g. ${EVENTGRID_EXAMPLE}`);
  if (url.pathname === '/') url.pathname = '/api/events';
  if (url.pathname.replace(/\/$/, '').toLowerCase() !== '/api/events')
    return refuse(`must end in /api/events (a custom topic endpoint), e.g. ${EVENTGRID_EXAMPLE}; got path ${url.pathname}`);
  return url.href.replace(/\/$/, '');
});

/** The azure backend's app settings (the doctor reads them of a remote app too). */
export const AzureSettings = z.object({
  AUTOPILOT_ARM_ENDPOINT: httpsEndpoint,
  AUTOPILOT_METRICS_ENDPOINT: httpsEndpoint,
  AUTOPILOT_LOGS_ENDPOINT: httpsEndpoint,
  AUTOPILOT_REGISTRY_DISCOVERY_ENDPOINT: httpsEndpoint,
  // Azure ML datastore names: letters, digits and underscores (az ml datastore create).
  AUTOPILOT_DATA_DATASTORE: optionalText.refine((v) => v === undefined || /^[A-Za-z0-9_]{1,255}$/.test(v), {
    message: 'must be a datastore name (letters, digits and underscores), e.g. autopilot_artifacts',
  }),
  AUTOPILOT_PROVISIONING_WAIT_SECONDS: numberFrom(0, 600, 'a number of seconds from 0 to 600'),
  AUTOPILOT_METRICS_DELAY_SECONDS: numberFrom(0, 900, 'a number of seconds from 0 to 900'),
});

/** Where links in messages point; read again per message (adapters/settings.ts, linkBaseUrl). */
export const LinkSettings = z.object({
  AUTOPILOT_PUBLIC_URL: optionalText.refine((v) => v === undefined || (/^https?:\/\/[^/]/.test(v) && URL.canParse(v)), {
    message: 'must be the http(s) URL people open the app at, e.g. https://autopilot.example.net',
  }),
  WEBSITE_HOSTNAME: optionalText,
});

export const HostSettings = z
  .object({
    AUTOPILOT_CONFIG: optionalText.transform((v) => v ?? 'autopilot.yaml'),
    AUTOPILOT_STATE_DIR: optionalText.transform((v) => resolve(v ?? '.autopilot')),
    AUTOPILOT_ENDPOINTS_PORT: z.coerce
      .number({ message: 'must be a TCP port number, e.g. 7072' })
      .int('must be a whole TCP port number, e.g. 7072')
      .min(0, 'must be a TCP port from 0 to 65535')
      .max(65535, 'must be a TCP port from 0 to 65535')
      .default(7072),
    AUTOPILOT_JOB_POLL_SECONDS: z.coerce
      .number({ message: 'must be a number of seconds, e.g. 10' })
      .positive('must be more than 0 seconds')
      .optional(),
    AUTOPILOT_PROVISIONING_POLL_SECONDS: z.coerce
      .number({ message: 'must be a number of seconds, e.g. 10' })
      .positive('must be more than 0 seconds')
      .optional(),
    AUTOPILOT_LEASE_SECONDS: seconds(15, 3600, 'whole seconds from 15 to 3600'),
    ...LinkSettings.shape,
    AUTOPILOT_TRUST_APP_SERVICE_AUTH: z
      .enum(['true', 'false'], { message: 'must be "true", "false" or unset' })
      .optional()
      .transform((v) => v === 'true'),
    // Tokens carry the directory id (a GUID) in tid and iss: a domain name would match none.
    AUTOPILOT_ENTRA_TENANT_ID: z.guid('must be the directory (tenant) id, a GUID (az account show --query tenantId)').optional(),
    AUTOPILOT_ENTRA_AUDIENCE: optionalText
      .transform((v) => (v ?? '').split(',').flatMap((a) => (a.trim() ? [a.trim()] : [])))
      .refine((audiences) => audiences.every(isTokenAudience), {
        message:
          "must be comma-separated audiences as a token's aud claim has them: api://<appId>, https://… or the application (client) id",
      }),
    AUTOPILOT_ENTRA_AUTHORITY: optionalText
      .refine((v) => v === undefined || (/^https?:\/\/[^\s/]+(\/\S*)?$/.test(v) && URL.canParse(v)), {
        message: 'must be the Entra ID authority URL, e.g. https://login.microsoftonline.us',
      })
      .transform((v) => v?.replace(/\/+$/, '')),
    AUTOPILOT_EVENTGRID_ENDPOINT: eventGridEndpoint,
    AUTOPILOT_EVENTGRID_KEY: optionalText,
    AUTOPILOT_NOTIFY_MAX_ATTEMPTS: z.coerce
      .number({ message: 'must be a whole number of attempts from 1 to 50' })
      .int('must be a whole number of attempts from 1 to 50')
      .min(1, 'must be a whole number of attempts from 1 to 50')
      .max(50, 'must be a whole number of attempts from 1 to 50')
      .optional(),
    AUTOPILOT_NOTIFY_BACKOFF_SECONDS: numberFrom(0, 3600, 'a number of seconds from 0 to 3600'),
    AUTOPILOT_NOTIFY_TIMEOUT_MS: numberFrom(100, 120_000, 'a number of milliseconds from 100 to 120000'),
    ...AzureSettings.shape,
    AUTOPILOT_MONITOR_SCAN_THREADS: z.coerce
      .number({ message: 'must be a whole number from 0 to 16 (worker threads per monitor run; 0 = none)' })
      .int('must be a whole number from 0 to 16 (worker threads per monitor run; 0 = none)')
      .min(0, 'must be a whole number from 0 to 16 (worker threads per monitor run; 0 = none)')
      .max(16, 'must be a whole number from 0 to 16 (worker threads per monitor run; 0 = none)')
      .default(0),
    AUTOPILOT_DASHBOARD_DIR: optionalText.transform((v) => (v === undefined ? undefined : resolve(v))),
    WEBSITE_INSTANCE_ID: optionalText,
  })
  .superRefine((s, ctx) => {
    if (Boolean(s.AUTOPILOT_ENTRA_TENANT_ID) !== s.AUTOPILOT_ENTRA_AUDIENCE.length > 0) {
      const missing = s.AUTOPILOT_ENTRA_TENANT_ID ? 'AUTOPILOT_ENTRA_AUDIENCE' : 'AUTOPILOT_ENTRA_TENANT_ID';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: 'is not set: Entra ID sign-in needs both AUTOPILOT_ENTRA_TENANT_ID and AUTOPILOT_ENTRA_AUDIENCE',
      });
    }
    if (s.AUTOPILOT_EVENTGRID_KEY && !s.AUTOPILOT_EVENTGRID_ENDPOINT) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTOPILOT_EVENTGRID_ENDPOINT'],
        message: `is not set but AUTOPILOT_EVENTGRID_KEY is; set it to the topic endpoint, e.g. ${EVENTGRID_EXAMPLE}`,
      });
    }
  });

/** Read before anything else loads (adapters/telemetry/register.ts), so parsed on their own too. */
export const TelemetrySettings = z
  .object({
    AUTOPILOT_TELEMETRY: z.enum(['console', 'off'], { message: 'must be "console", "off" or unset' }).optional(),
    APPLICATIONINSIGHTS_CONNECTION_STRING: optionalText,
  })
  .superRefine((s, ctx) => {
    // Checked only when it is used: with console or off the connection string is not read.
    const used = s.AUTOPILOT_TELEMETRY === undefined && s.APPLICATIONINSIGHTS_CONNECTION_STRING;
    if (used && !/(^|;)\s*InstrumentationKey=/i.test(s.APPLICATIONINSIGHTS_CONNECTION_STRING!)) {
      ctx.addIssue({
        code: 'custom',
        path: ['APPLICATIONINSIGHTS_CONNECTION_STRING'],
        message: 'has no InstrumentationKey=...; copy the connection string from the Application Insights resource (Overview page)',
      });
    }
  });

/** Settings whose value is a credential, or may carry one: a refusal never echoes them. */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set([
  'AUTOPILOT_EVENTGRID_KEY',
  'AUTOPILOT_EVENTGRID_ENDPOINT',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
]);
