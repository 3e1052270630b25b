import { SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { currentInvocation, mergeCorrelation, type Correlation } from './invocationScope';

export const TRACER_NAME = 'mlops-autopilot';

export interface WithSpanOptions {
  /** Extra span attributes (no secrets: callers pass ids and names only). @default {} */
  attributes?: Attributes;
  /** @default trace.getTracer('mlops-autopilot'), i.e. whatever startTelemetry registered */
  tracer?: Tracer;
}

/** The correlation as span attributes, with the same names logs use in customDimensions. */
export function correlationAttributes(correlation: Correlation): Attributes {
  const attributes: Attributes = {};
  if (correlation.releaseId) attributes.releaseId = correlation.releaseId;
  if (correlation.pipeline) attributes.pipeline = correlation.pipeline;
  if (correlation.stage) attributes.stage = correlation.stage;
  return attributes;
}

/**
 * Runs `fn` in an active span named `name`, attributed with the invocation's correlation
 * plus `correlation`. A throw marks the span failed and is rethrown unchanged.
 */
export async function withSpan<T>(name: string, correlation: Correlation, fn: () => Promise<T>, options: WithSpanOptions = {}): Promise<T> {
  const tracer = options.tracer ?? trace.getTracer(TRACER_NAME);
  const attributes = { ...correlationAttributes(mergeCorrelation(currentInvocation()?.correlation, correlation)), ...options.attributes };
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      span.recordException(failure);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
      throw error;
    } finally {
      span.end();
    }
  });
}
