import type { Attributes } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** A pull reader: the test collects when it wants to look. */
class CollectOnDemand extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface Point {
  attributes: Attributes;
  value: number | { count: number; sum?: number };
}

/** Real OTel SDK providers, kept local to the test (no globals), with in-memory readers. */
export function otelTestKit() {
  const reader = new CollectOnDemand();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  return {
    meter: meterProvider.getMeter('test'),
    tracer: tracerProvider.getTracer('test'),
    spans,
    /** Data points of one metric (cumulative), as `{ attributes, value }`. */
    async points(name: string): Promise<Point[]> {
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
      return (metric?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value as Point['value'] }));
    },
    async stop(): Promise<void> {
      await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]);
    },
  };
}
