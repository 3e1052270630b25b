import { metrics, trace } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ConsoleLineMetricExporter, ConsoleLineSpanExporter, type WriteLine } from './consoleLineExporters';
import type { TelemetryHandle } from './telemetryHandle';

/**
 * Local mode: metrics and spans as single lines on `write`. Logs need nothing here, the
 * logger already prints them. Registers the global meter and tracer providers (and the
 * AsyncLocalStorage context manager, so child spans find their parent).
 */
export function startConsoleTelemetry(resource: Resource, write: WriteLine, exportIntervalMillis: number): TelemetryHandle {
  const meterProvider = new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({ exporter: new ConsoleLineMetricExporter(write), exportIntervalMillis })],
  });
  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: [new SimpleSpanProcessor(new ConsoleLineSpanExporter(write))],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  tracerProvider.register();
  return {
    mode: 'console',
    flush: async () => {
      await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush()]);
    },
    shutdown: async () => {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
      metrics.disable();
      trace.disable();
    },
  };
}
