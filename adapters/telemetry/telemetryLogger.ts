import { logs, SeverityNumber, type LogRecord } from '@opentelemetry/api-logs';
import type { Logger } from '../../shared/ports';
import { consoleLogger } from '../consoleLogger';
import { currentInvocation, mergeCorrelation } from './invocationScope';
import { writingOwnLine } from './ownLogLines';
import { attributesOf, redactSecrets } from './redactSecrets';
import { TRACER_NAME } from './withSpan';

/** Whatever takes OTel log records; the global one is a no-op until Azure Monitor starts. */
export interface LogRecordSink {
  emit(record: LogRecord): void;
}

export interface TelemetryLoggerOptions {
  /** Where lines go outside a Functions invocation. @default consoleLogger(scope) */
  fallback?: Logger;
  /** Receives every line as an OTel log record (App Insights `traces` with customDimensions). @default the global logger provider's 'mlops-autopilot' logger, looked up per line */
  logRecords?: LogRecordSink;
}

type Level = 'info' | 'warn' | 'error';
const SEVERITY: Record<Level, { number: SeverityNumber; text: string }> = {
  info: { number: SeverityNumber.INFO, text: 'INFO' },
  warn: { number: SeverityNumber.WARN, text: 'WARN' },
  error: { number: SeverityNumber.ERROR, text: 'ERROR' },
};

/**
 * The app's Logger. Inside `withInvocation` it writes through the invocation's
 * `context.log/warn/error` so the Functions host ties the line to the invocation; outside,
 * through `fallback`. Every line carries the release id, pipeline and stage when known
 * (explicit properties win) and goes out as an OTel log record as well. Credentials in
 * properties are redacted first.
 */
export function telemetryLogger(scope: string, options: TelemetryLoggerOptions = {}): Logger {
  const fallback = options.fallback ?? consoleLogger(scope);
  const write = (level: Level, message: string, properties?: Record<string, unknown>): void => {
    const invocation = currentInvocation();
    const merged = { ...mergeCorrelation(invocation?.correlation), ...(redactSecrets(properties ?? {}) as Record<string, unknown>) };
    if (invocation) {
      const line = Object.keys(merged).length ? `${message} ${JSON.stringify(merged)}` : message;
      writingOwnLine(() => {
        if (level === 'info') invocation.context.log(line);
        else if (level === 'warn') invocation.context.warn(line);
        else invocation.context.error(line);
      });
    } else {
      fallback[level](message, merged);
    }
    // Telemetry must never take the app down: a failing exporter loses a record, not a step.
    try {
      const sink = options.logRecords ?? logs.getLogger(TRACER_NAME);
      sink.emit({
        severityNumber: SEVERITY[level].number,
        severityText: SEVERITY[level].text,
        body: message,
        attributes: { ...attributesOf(merged), scope },
      });
    } catch {
      /* ignored on purpose */
    }
  };
  return {
    info: (message, properties) => write('info', message, properties),
    warn: (message, properties) => write('warn', message, properties),
    error: (message, properties) => write('error', message, properties),
  };
}
