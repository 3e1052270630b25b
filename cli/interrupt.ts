/**
 * An AbortSignal that Ctrl-C (SIGINT) or SIGTERM aborts, for commands that run until stopped.
 * Only while `run` is running: a listener on SIGINT replaces Node's default exit, so every
 * other command keeps being stopped by Ctrl-C the ordinary way.
 */
export async function untilInterrupted<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
