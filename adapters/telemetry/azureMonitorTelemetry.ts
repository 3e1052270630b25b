import type { AzureMonitorOpenTelemetryOptions } from '@azure/monitor-opentelemetry';
import { metrics, trace, ProxyTracerProvider } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import type { Resource } from '@opentelemetry/resources';
import type { TelemetryHandle } from './telemetryHandle';

type Flushable = { forceFlush?: () => Promise<unknown> };

/**
 * Application Insights through the Azure Monitor OpenTelemetry distro: our spans, custom
 * metrics and log records, plus what its instrumentations see (outgoing HTTP, Azure SDK
 * calls). Loaded only here, so local runs do not pay for the distro's start-up.
 */
export function startAzureMonitor(connectionString: string, resource: Resource, extra: AzureMonitorOpenTelemetryOptions): TelemetryHandle {
  const distro = require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
  distro.useAzureMonitor({
    ...extra,
    azureMonitorExporterOptions: { ...extra.azureMonitorExporterOptions, connectionString },
    // service.name is what App Insights shows as the cloud role name.
    resource,
  });
  const flush = async (): Promise<void> => {
    // The distro has no flush of its own; its providers are the global ones.
    const tracerProvider = trace.getTracerProvider();
    const providers: Flushable[] = [
      tracerProvider instanceof ProxyTracerProvider ? (tracerProvider.getDelegate() as Flushable) : (tracerProvider as Flushable),
      logs.getLoggerProvider() as Flushable,
      metrics.getMeterProvider() as Flushable,
    ];
    await Promise.all(providers.map((p) => p.forceFlush?.()));
  };
  return {
    mode: 'azure-monitor',
    flush,
    shutdown: async () => {
      await flush();
      await distro.shutdownAzureMonitor();
    },
  };
}
