import type { AzureMonitorOpenTelemetryOptions } from '@azure/monitor-opentelemetry';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { z } from 'zod';
import { ConfigError } from '../../shared/errors';
import { startAzureMonitor } from './azureMonitorTelemetry';
import type { WriteLine } from './consoleLineExporters';
import { startConsoleTelemetry } from './consoleTelemetry';
import { TELEMETRY_OFF, type TelemetryHandle } from './telemetryHandle';

export const CLOUD_ROLE_NAME = 'mlops-autopilot';

export interface StartTelemetryOptions {
  /** Cloud role name in Application Insights (`service.name`); an OTEL_SERVICE_NAME app setting overrides it. @default 'mlops-autopilot' */
  roleName?: string;
  /** Where console mode prints its lines. @default process.stdout, one line each */
  write?: WriteLine;
  /** How often console mode prints the metrics that changed. @default 10000 */
  exportIntervalMillis?: number;
  /** More options for `useAzureMonitor` (live metrics, offline storage...). @default { samplingRatio: 1, tracesPerSecond: 0 }: every trace kept */
  azureMonitor?: AzureMonitorOpenTelemetryOptions;
}

const Settings = z.object({
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().trim().optional(),
  AUTOPILOT_TELEMETRY: z.enum(['console', 'off', '']).optional(),
});

let started: TelemetryHandle | undefined;

/**
 * Starts telemetry once per process and returns its handle; later calls return the same
 * handle whatever they pass (OTel's providers are process-global).
 * - `AUTOPILOT_TELEMETRY=off`: nothing is exported.
 * - `AUTOPILOT_TELEMETRY=console`: metrics and spans printed locally as single lines.
 * - otherwise, with `APPLICATIONINSIGHTS_CONNECTION_STRING`: Azure Monitor (Application Insights).
 * - otherwise nothing is exported.
 * Throws ConfigError for an AUTOPILOT_TELEMETRY value it does not know.
 */
export function startTelemetry(env: NodeJS.ProcessEnv, options: StartTelemetryOptions = {}): TelemetryHandle {
  if (started) return started;
  const parsed = Settings.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError('app settings', [
      { path: 'AUTOPILOT_TELEMETRY', message: `must be "console", "off" or unset, not ${JSON.stringify(env.AUTOPILOT_TELEMETRY)}` },
    ]);
  }
  const { APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString, AUTOPILOT_TELEMETRY: mode } = parsed.data;
  const resource = defaultResource().merge(resourceFromAttributes({ 'service.name': options.roleName ?? CLOUD_ROLE_NAME }));
  let handle: TelemetryHandle;
  if (mode === 'off') handle = TELEMETRY_OFF;
  else if (mode === 'console') {
    const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
    handle = startConsoleTelemetry(resource, write, options.exportIntervalMillis ?? 10_000);
  } else if (connectionString) {
    if (!/(^|;)\s*InstrumentationKey=/i.test(connectionString)) {
      // Never echo the value: it is a credential.
      throw new ConfigError('app settings', [
        {
          path: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
          message: 'has no InstrumentationKey=...; copy the connection string from the Application Insights resource (Overview page)',
        },
      ]);
    }
    // The distro's default rate-limited sampler (5 traces/s) is made for busy web apps and
    // drops traces while it warms up; this app makes a few spans per release step, so keep
    // them all unless OTEL_TRACES_SAMPLER(_ARG) says otherwise (env wins over options).
    handle = startAzureMonitor(connectionString, resource, { samplingRatio: 1, tracesPerSecond: 0, ...options.azureMonitor });
  } else handle = TELEMETRY_OFF;
  const result: TelemetryHandle = {
    mode: handle.mode,
    flush: () => handle.flush(),
    shutdown: async () => {
      await handle.shutdown();
      if (started === result) started = undefined;
    },
  };
  started = result;
  return result;
}
