import { app, type Disposable, type LogHookHandler, type LogLevel } from '@azure/functions';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import { currentInvocation } from './invocationScope';
import { isOwnLine } from './ownLogLines';
import { redactSecrets, toAttributes } from './redactSecrets';
import type { LogRecordSink } from './telemetryLogger';
import { correlationAttributes, TRACER_NAME } from './withSpan';

/**
 * The worker capability that tells the Functions host "this worker sends its own logs to
 * Application Insights": the host then leaves the worker's log lines out of what its own
 * Application Insights SDK sends (they still reach its other log outputs: Log stream,
 * console, files). Its own lines (Executing/Executed, failures), requests and exceptions
 * are not affected. Read by the host in GrpcWorkerChannel (azure-functions-host); the Java
 * worker declares it for the same reason.
 */
export const WORKER_SENDS_LOGS_CAPABILITY = 'WorkerApplicationInsightsLoggingEnabled';

const SEVERITY: Record<LogLevel, { number: SeverityNumber; text: string }> = {
  trace: { number: SeverityNumber.TRACE, text: 'TRACE' },
  debug: { number: SeverityNumber.DEBUG, text: 'DEBUG' },
  information: { number: SeverityNumber.INFO, text: 'INFO' },
  warning: { number: SeverityNumber.WARN, text: 'WARN' },
  error: { number: SeverityNumber.ERROR, text: 'ERROR' },
  critical: { number: SeverityNumber.FATAL, text: 'FATAL' },
  none: { number: SeverityNumber.UNSPECIFIED, text: 'NONE' },
};

/**
 * A log hook that sends each user line written with `context.log/warn/error` (not through
 * the telemetry logger) as an OTel log record, with the invocation's correlation, so no line
 * is lost once the host stops sending its copy.
 */
export function workerLogForwarder(logRecords?: LogRecordSink): LogHookHandler {
  return (hook) => {
    if (hook.category !== 'user' || isOwnLine()) return;
    try {
      const severity = SEVERITY[hook.level] ?? SEVERITY.information;
      const invocation = currentInvocation();
      const attributes = {
        ...correlationAttributes(invocation?.correlation ?? {}),
        ...toAttributes({ functionName: hook.invocationContext?.functionName, invocationId: hook.invocationContext?.invocationId }),
        scope: 'function',
      };
      const sink = logRecords ?? logs.getLogger(TRACER_NAME);
      sink.emit({ severityNumber: severity.number, severityText: severity.text, body: redactSecrets(hook.message) as string, attributes });
    } catch {
      /* telemetry never fails an invocation */
    }
  };
}

/**
 * One copy of each log line in Application Insights: ours, with customDimensions. Declares
 * the capability above and forwards the lines only the host saw. Call it while the app
 * loads (the host reads capabilities once, at worker start-up), and only when telemetry
 * sends to Application Insights: otherwise the host's copy is the only one.
 * `options.logRecords` @default the global logger provider's 'mlops-autopilot' logger
 */
export function sendLogsFromWorker(options: { logRecords?: LogRecordSink } = {}): Disposable {
  app.setup({ capabilities: { [WORKER_SENDS_LOGS_CAPABILITY]: true } });
  return app.hook.log(workerLogForwarder(options.logRecords));
}
