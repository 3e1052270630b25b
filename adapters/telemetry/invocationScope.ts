import { AsyncLocalStorage } from 'node:async_hooks';
import { context as otelContext, propagation } from '@opentelemetry/api';
import type { InvocationContext } from '@azure/functions';

/** What a log line or span says about the work in hand; every field when known. */
export interface Correlation {
  releaseId?: string;
  pipeline?: string;
  stage?: string;
}

export interface InvocationScope {
  /** The host's context: logging through it lets the host tie lines to the invocation. */
  context: InvocationContext;
  correlation: Correlation;
}

const scopes = new AsyncLocalStorage<InvocationScope>();

/** The scope of the Functions invocation running this code, if any. */
export function currentInvocation(): InvocationScope | undefined {
  return scopes.getStore();
}

/**
 * Runs `fn` as part of a Functions invocation: the telemetry logger writes through
 * `context`, and every line and span carries `correlation`. Nested calls add to the
 * outer correlation. The host's W3C trace context becomes the parent of spans started
 * inside, so our spans hang under the host's request in Application Insights.
 */
export function withInvocation<T>(context: InvocationContext, correlation: Correlation, fn: () => Promise<T>): Promise<T> {
  const outer = scopes.getStore();
  const scope: InvocationScope = { context, correlation: mergeCorrelation(outer?.correlation, correlation) };
  const traceParent = context.traceContext?.traceParent;
  const carrier: Record<string, string> = traceParent ? { traceparent: traceParent } : {};
  if (traceParent && context.traceContext?.traceState) carrier.tracestate = context.traceContext.traceState;
  const parent = traceParent ? propagation.extract(otelContext.active(), carrier) : otelContext.active();
  return scopes.run(scope, () => otelContext.with(parent, fn));
}

/** Later parts win, but only with fields they actually know. */
export function mergeCorrelation(...parts: (Correlation | undefined)[]): Correlation {
  const merged: Correlation = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part ?? {})) if (value) merged[key as keyof Correlation] = value;
  }
  return merged;
}
