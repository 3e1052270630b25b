import type { z } from 'zod';
import { ConfigError } from '../shared/errors';
import type { EntraIdSettings } from './auth/entraIdTokens';
import { environmentsFromAppSettings, type AppSettingsEnvironments } from './appSettingsEnvironments';
import type { EventGridTopicSettings } from './azure/events';
import type { AzureAppSettings } from './azure/workspace/azureWorkspaces';
import { AzureSettings, HostSettings, LinkSettings, SECRET_SETTINGS, TelemetrySettings } from './settingsSchema';

/**
 * The app settings the host process reads itself, validated once at the edge (schema in
 * ./settingsSchema.ts; docs/settings.md lists every variable, including the ones child
 * processes read) and handed to the adapters by the composition root (./compose.ts).
 */

/** Settings read straight from the environment, before they are validated (a value may be missing or bad). */
export type AppSettings = Readonly<Record<string, string | undefined>>;

export interface Settings {
  /** autopilot.yaml (AUTOPILOT_CONFIG), relative to the working folder. */
  configPath: string;
  /** Absolute state folder (AUTOPILOT_STATE_DIR): local tokens, the local stack's files. */
  stateDir: string;
  /** Port of the local endpoints' router (AUTOPILOT_ENDPOINTS_PORT). */
  endpointsPort: number;
  engine: { jobPollSeconds?: number; provisioningPollSeconds?: number; leaseSeconds?: number };
  /** Inside Azure Functions (WEBSITE_INSTANCE_ID is set): no local tokens, no local backend. */
  onAzure: boolean;
  /** The origin sign-in links use on Azure (AUTOPILOT_PUBLIC_URL, else https://WEBSITE_HOSTNAME). */
  publicOrigin?: string;
  /** App Service authentication is in front (AUTOPILOT_TRUST_APP_SERVICE_AUTH=true). */
  trustAppServiceAuth: boolean;
  /** Entra ID bearer tokens the API accepts (AUTOPILOT_ENTRA_TENANT_ID, _AUDIENCE, _AUTHORITY); unset: none. */
  entra?: EntraIdSettings;
  /** The Event Grid topic the app also publishes to (AUTOPILOT_EVENTGRID_ENDPOINT, _KEY; no key: Entra ID). */
  eventGrid?: EventGridTopicSettings;
  /** Where telemetry goes (AUTOPILOT_TELEMETRY, APPLICATIONINSIGHTS_CONNECTION_STRING). */
  telemetry: TelemetrySettings;
  /** The azure backend's endpoints, datastore and waits (AUTOPILOT_ARM_ENDPOINT…). */
  azure: AzureAppSettings;
  /** Webhook delivery (AUTOPILOT_NOTIFY_*); defaults in shared/notifications. */
  notify: { maxAttempts?: number; backoffSeconds?: number; timeoutMs?: number };
  /**
   * Where people open the dashboard, for links in messages: AUTOPILOT_PUBLIC_URL, else
   * https://WEBSITE_HOSTNAME, else the local host. Read on each call: the local host (devhost/host.ts)
   * sets AUTOPILOT_PUBLIC_URL once it knows its port, after the services were built.
   */
  linkBaseUrl(): string;
  /** Environments the app settings give (AUTOPILOT_BACKEND=azure and the workspace settings), filling autopilot.yaml's gaps. */
  environments: AppSettingsEnvironments;
  /** The built dashboard's folder (AUTOPILOT_DASHBOARD_DIR, absolute); unset: the build beside the code. */
  dashboardDir?: string;
  /** Worker threads that scan a monitor run's blobs (AUTOPILOT_MONITOR_SCAN_THREADS); 0: the host's own thread. */
  monitorScanThreads: number;
  /**
   * A setting autopilot.yaml names (a webhook's urlFrom/secretFrom), blank as unset; its
   * resolver validates it (adapters/notifications/resolveWebhooks.ts).
   */
  namedSetting(name: string): string | undefined;
  /**
   * Every app setting as given, for the resolvers that mirror the Functions host or read a group
   * by connection name: the storage connection (./storageConnection.ts).
   */
  appSettings: AppSettings;
}

export interface TelemetrySettings {
  /** console: lines on stdout; off: nothing; unset: Azure Monitor when a connection string is set. */
  mode?: 'console' | 'off';
  connectionString?: string;
}

/** Validates the app settings once, at the edge; a bad value is a ConfigError naming the variable and the fix. */
export function settingsFrom(env: AppSettings): Settings {
  const s = parsed(HostSettings, env);
  const publicUrl = s.AUTOPILOT_PUBLIC_URL ?? (s.WEBSITE_HOSTNAME ? `https://${s.WEBSITE_HOSTNAME}` : undefined);
  return {
    configPath: s.AUTOPILOT_CONFIG,
    stateDir: s.AUTOPILOT_STATE_DIR,
    endpointsPort: s.AUTOPILOT_ENDPOINTS_PORT,
    engine: definedOnly({
      jobPollSeconds: s.AUTOPILOT_JOB_POLL_SECONDS,
      provisioningPollSeconds: s.AUTOPILOT_PROVISIONING_POLL_SECONDS,
      leaseSeconds: s.AUTOPILOT_LEASE_SECONDS,
    }),
    onAzure: s.WEBSITE_INSTANCE_ID !== undefined,
    // As before: the public origin matters only on Azure, where sign-in links must not trust the request's Host.
    ...(s.WEBSITE_HOSTNAME && publicUrl ? { publicOrigin: new URL(publicUrl).origin } : {}),
    trustAppServiceAuth: s.AUTOPILOT_TRUST_APP_SERVICE_AUTH,
    ...(s.AUTOPILOT_ENTRA_TENANT_ID
      ? {
          entra: {
            tenantId: s.AUTOPILOT_ENTRA_TENANT_ID,
            audiences: s.AUTOPILOT_ENTRA_AUDIENCE,
            ...definedOnly({ authority: s.AUTOPILOT_ENTRA_AUTHORITY }),
          },
        }
      : {}),
    ...(s.AUTOPILOT_EVENTGRID_ENDPOINT
      ? { eventGrid: { endpoint: s.AUTOPILOT_EVENTGRID_ENDPOINT, ...definedOnly({ key: s.AUTOPILOT_EVENTGRID_KEY }) } }
      : {}),
    telemetry: telemetrySettingsFrom(env),
    azure: azureSettingsFrom(env),
    notify: definedOnly({
      maxAttempts: s.AUTOPILOT_NOTIFY_MAX_ATTEMPTS,
      backoffSeconds: s.AUTOPILOT_NOTIFY_BACKOFF_SECONDS,
      timeoutMs: s.AUTOPILOT_NOTIFY_TIMEOUT_MS,
    }),
    linkBaseUrl: () => {
      const { AUTOPILOT_PUBLIC_URL: url, WEBSITE_HOSTNAME: host } = parsed(LinkSettings, env);
      return url ?? (host ? `https://${host}` : 'http://127.0.0.1:7071');
    },
    environments: environmentsFromAppSettings(env),
    ...definedOnly({ dashboardDir: s.AUTOPILOT_DASHBOARD_DIR }),
    monitorScanThreads: s.AUTOPILOT_MONITOR_SCAN_THREADS,
    namedSetting: (name) => env[name]?.trim() || undefined,
    appSettings: env,
  };
}

/** The telemetry settings alone: telemetry starts before the app's modules load, before the other settings are read. */
export function telemetrySettingsFrom(env: AppSettings): TelemetrySettings {
  const t = parsed(TelemetrySettings, env);
  return {
    ...(t.AUTOPILOT_TELEMETRY ? { mode: t.AUTOPILOT_TELEMETRY } : {}),
    ...(t.APPLICATIONINSIGHTS_CONNECTION_STRING ? { connectionString: t.APPLICATIONINSIGHTS_CONNECTION_STRING } : {}),
  };
}

/** The azure backend's settings alone (the doctor reads them of the app it checks). */
export function azureSettingsFrom(env: AppSettings): AzureAppSettings {
  const a = parsed(AzureSettings, env);
  return definedOnly({
    armEndpoint: a.AUTOPILOT_ARM_ENDPOINT,
    metricsEndpoint: a.AUTOPILOT_METRICS_ENDPOINT,
    logsEndpoint: a.AUTOPILOT_LOGS_ENDPOINT,
    registryDiscoveryEndpoint: a.AUTOPILOT_REGISTRY_DISCOVERY_ENDPOINT,
    dataDatastore: a.AUTOPILOT_DATA_DATASTORE,
    provisioningWaitSeconds: a.AUTOPILOT_PROVISIONING_WAIT_SECONDS,
    metricsDelaySeconds: a.AUTOPILOT_METRICS_DELAY_SECONDS,
  });
}

/** Inside Azure Functions (WEBSITE_INSTANCE_ID): for a trigger's options, fixed when it registers, before Settings exist. */
export function runningOnAzure(env: AppSettings): boolean {
  return Boolean(env['WEBSITE_INSTANCE_ID']?.trim());
}

function parsed<T extends z.ZodType>(schema: T, env: AppSettings): z.output<T> {
  // A blank setting is an unset one (local.settings.json templates leave values empty).
  const given = Object.fromEntries(Object.entries(env).flatMap(([name, value]) => (value?.trim() ? [[name, value.trim()]] : [])));
  const result = schema.safeParse(given);
  if (result.success) return result.data;
  throw new ConfigError(
    'app settings (local.settings.json Values, the environment, or the Function App settings)',
    result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '');
      const value = env[name];
      const shown = value === undefined || SECRET_SETTINGS.has(name) ? '' : `, not ${JSON.stringify(value)}`;
      return { path: name, message: `${issue.message}${shown}` };
    }),
  );
}

/** The fields that have a value: optional properties stay absent rather than undefined (exactOptionalPropertyTypes). */
function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
