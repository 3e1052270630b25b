import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../shared/errors';

/**
 * The app settings the host process reads itself (docs/settings.md lists every variable,
 * including the ones child processes read). Each field says how to fix a bad value: the
 * message of a refused setting is all a user sees at start.
 */
const seconds = (min: number, max: number, what: string) =>
  z.coerce
    .number({ message: `must be ${what}` })
    .int(`must be whole seconds (${what})`)
    .min(min, `must be at least ${min} (${what})`)
    .max(max, `must be at most ${max} (${what})`)
    .optional();

const optionalText = z.string().optional();

const HostSettings = z.object({
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
  AUTOPILOT_PUBLIC_URL: optionalText.refine((v) => v === undefined || (/^https?:\/\/[^/]/.test(v) && URL.canParse(v)), {
    message: 'must be the http(s) URL people open the app at, e.g. https://autopilot.example.net',
  }),
  AUTOPILOT_TRUST_APP_SERVICE_AUTH: z
    .enum(['true', 'false'], { message: 'must be "true", "false" or unset' })
    .optional()
    .transform((v) => v === 'true'),
  WEBSITE_INSTANCE_ID: optionalText,
  WEBSITE_HOSTNAME: optionalText,
});

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
  /**
   * Every app setting as given, for the adapters that resolve their own group of settings
   * (storage connection, Entra ID, Event Grid, webhooks, Azure ML endpoints): each validates its group.
   */
  appSettings: AppSettings;
}

/** Validates the app settings once, at the edge; a bad value is a ConfigError naming the variable and the fix. */
export function settingsFrom(env: AppSettings): Settings {
  // A blank setting is an unset one (local.settings.json templates leave values empty).
  const given = Object.fromEntries(
    Object.keys(HostSettings.shape).flatMap((name) => (env[name]?.trim() ? [[name, env[name]!.trim()]] : [])),
  );
  const parsed = HostSettings.safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(
      'app settings (local.settings.json Values, the environment, or the Function App settings)',
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '');
        const value = env[name];
        // Values are echoed only for settings that hold no secret (none in HostSettings does).
        return { path: name, message: `${issue.message}${value === undefined ? '' : `, not ${JSON.stringify(value)}`}` };
      }),
    );
  }
  const s = parsed.data;
  const publicUrl = s.AUTOPILOT_PUBLIC_URL ?? (s.WEBSITE_HOSTNAME ? `https://${s.WEBSITE_HOSTNAME}` : undefined);
  return {
    configPath: s.AUTOPILOT_CONFIG,
    stateDir: s.AUTOPILOT_STATE_DIR,
    endpointsPort: s.AUTOPILOT_ENDPOINTS_PORT,
    engine: {
      ...(s.AUTOPILOT_JOB_POLL_SECONDS !== undefined ? { jobPollSeconds: s.AUTOPILOT_JOB_POLL_SECONDS } : {}),
      ...(s.AUTOPILOT_PROVISIONING_POLL_SECONDS !== undefined ? { provisioningPollSeconds: s.AUTOPILOT_PROVISIONING_POLL_SECONDS } : {}),
      ...(s.AUTOPILOT_LEASE_SECONDS !== undefined ? { leaseSeconds: s.AUTOPILOT_LEASE_SECONDS } : {}),
    },
    onAzure: s.WEBSITE_INSTANCE_ID !== undefined,
    // As before: the public origin matters only on Azure, where sign-in links must not trust the request's Host.
    ...(s.WEBSITE_HOSTNAME && publicUrl ? { publicOrigin: new URL(publicUrl).origin } : {}),
    trustAppServiceAuth: s.AUTOPILOT_TRUST_APP_SERVICE_AUTH,
    appSettings: env,
  };
}
