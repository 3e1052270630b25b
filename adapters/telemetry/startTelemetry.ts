import type { AzureMonitorOpenTelemetryOptions } from '@azure/monitor-opentelemetry';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import type { TelemetrySettings } from '../settings';
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

let started: TelemetryHandle | undefined;

/**
 * Starts telemetry once per process and returns its handle; later calls return the same
 * handle whatever they pass (OTel's providers are process-global).
 * - mode off (`AUTOPILOT_TELEMETRY=off`): nothing is exported.
 * - mode console: metrics and spans printed locally as single lines.
 * - otherwise, with a connection string (`APPLICATIONINSIGHTS_CONNECTION_STRING`): Azure Monitor (Application Insights).
 * - otherwise nothing is exported.
 * The settings come validated (adapters/settings.ts, telemetrySettingsFrom).
 */
export function startTelemetry(settings: TelemetrySettings, options: StartTelemetryOptions = {}): TelemetryHandle {
  if (started) return started;
  const { connectionString, mode } = settings;
  const resource = defaultResource().merge(resourceFromAttributes({ 'service.name': options.roleName ?? CLOUD_ROLE_NAME }));
  let handle: TelemetryHandle;
  if (mode === 'off') handle = TELEMETRY_OFF;
  else if (mode === 'console') {
    const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
    handle = startConsoleTelemetry(resource, write, options.exportIntervalMillis ?? 10_000);
  } else if (connectionString) {
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
