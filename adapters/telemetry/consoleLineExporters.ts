import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export type WriteLine = (line: string) => void;

/** `key=value` pairs; values with spaces or `=` quoted, so a line stays one grep-able line. */
export function formatAttributes(attributes: Attributes): string {
  return Object.entries(attributes)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const text = Array.isArray(v) ? v.join(',') : String(v);
      return `${k}=${/[\s="]/.test(text) ? JSON.stringify(text) : text}`;
    })
    .join(' ');
}

const number = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(3).replace(/\.?0+$/, ''));

/**
 * Prints each metric stream that changed since the last export as one line:
 * `metric autopilot.stage.outcomes +1 pipeline=churn stage=train outcome=succeeded`.
 * Delta temporality, so an idle app prints nothing.
 */
export class ConsoleLineMetricExporter implements PushMetricExporter {
  constructor(private readonly write: WriteLine) {}

  export(resourceMetrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    try {
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          const unit = metric.descriptor.unit ? metric.descriptor.unit : '';
          for (const point of metric.dataPoints) {
            const value = point.value;
            let figures: string;
            if (metric.dataPointType === DataPointType.HISTOGRAM && typeof value === 'object') {
              const h = value as { count: number; sum?: number; min?: number; max?: number };
              figures =
                h.count === 1
                  ? `=${number(h.sum ?? 0)}${unit}`
                  : `count=${h.count} sum=${number(h.sum ?? 0)}${unit} min=${number(h.min ?? 0)}${unit} max=${number(h.max ?? 0)}${unit}`;
            } else if (typeof value === 'number') {
              figures = metric.dataPointType === DataPointType.SUM ? `+${number(value)}${unit}` : `${number(value)}${unit}`;
            } else continue;
            const attributes = formatAttributes(point.attributes);
            this.write(`metric ${metric.descriptor.name} ${figures}${attributes ? ` ${attributes}` : ''}`);
          }
        }
      }
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.DELTA;
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** Prints each ended span as one line: `span release.step 152ms ok releaseId=… pipeline=… stage=…`. */
export class ConsoleLineSpanExporter implements SpanExporter {
  constructor(private readonly write: WriteLine) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) {
      const ms = Math.round(hrTimeToMilliseconds(span.duration));
      const status = span.status.code === SpanStatusCode.ERROR ? `error${span.status.message ? ` (${span.status.message})` : ''}` : 'ok';
      const attributes = formatAttributes(span.attributes);
      this.write(`span ${span.name} ${ms}ms ${status}${attributes ? ` ${attributes}` : ''}`);
    }
    done({ code: ExportResultCode.SUCCESS });
  }

  async shutdown(): Promise<void> {}
}
