let depth = 0;

/**
 * Runs `write` (a `context.log` call of the telemetry logger, which sends its own record
 * with properties) so that the log hook of workerLogs.ts does not send the same line a
 * second time. Log hooks run synchronously inside `context.log`, in the host's Node.js
 * worker and in devhost/, so a counter is enough. Kept apart from workerLogs.ts so the
 * logger does not load @azure/functions.
 */
export function writingOwnLine(write: () => void): void {
  depth++;
  try {
    write();
  } finally {
    depth--;
  }
}

/** True while the telemetry logger is writing a line through the invocation context. */
export function isOwnLine(): boolean {
  return depth > 0;
}
