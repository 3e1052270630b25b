/**
 * @module Telemetry as Azure users expect it: Application Insights through the Azure
 * Monitor OpenTelemetry distro in Azure, single lines on the console locally; a logger
 * that writes through the Functions invocation context; and custom metrics and spans
 * derived from the service's own events, without the core knowing (docs/telemetry.md).
 */
export { startTelemetry, CLOUD_ROLE_NAME, type StartTelemetryOptions } from './startTelemetry';
export type { TelemetryHandle } from './telemetryHandle';
export { withInvocation, currentInvocation, mergeCorrelation, type Correlation, type InvocationScope } from './invocationScope';
export { withSpan, correlationAttributes, type WithSpanOptions } from './withSpan';
export { invocationHandler } from './invocationHandler';
export { telemetryLogger, type TelemetryLoggerOptions, type LogRecordSink } from './telemetryLogger';
export { withEventTelemetry, eventAttributes, type EventTelemetryOptions } from './telemetryEventPublisher';
export { eventMeasurements, releaseSeconds, rollbackReason, METRIC_NAMES, type Measurement } from './eventMeasurements';
export { redactSecrets, toAttributes } from './redactSecrets';
