import { checkResult, type CheckResult } from './checkResult';

/**
 * Runs `run` with a deadline: on time-out the signal tells its requests to give up and the
 * promise settles with `onTimeout()` at once, so a hanging endpoint never hangs the command.
 */
export async function withDeadline<T>(timeoutMs: number, run: (signal: AbortSignal) => Promise<T>, onTimeout: () => T): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(onTimeout());
    }, timeoutMs);
  });
  try {
    return await Promise.race([run(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One check with a deadline; an unexpected error becomes a `fail` too, so one broken check
 * never hides the others.
 */
export function withCheckTimeout(
  name: string,
  timeoutMs: number,
  run: (signal: AbortSignal) => Promise<CheckResult[]>,
): Promise<CheckResult[]> {
  return withDeadline(
    timeoutMs,
    (signal) => run(signal).catch((error: unknown) => [checkResult(name, 'fail', `unexpected error: ${redactTokens(messageOf(error))}`)]),
    () => [timedOut(name, timeoutMs)],
  );
}

export function timedOut(name: string, timeoutMs: number): CheckResult {
  return checkResult(
    name,
    'fail',
    `no answer within ${timeoutMs / 1000} s; the check was stopped`,
    'Check the network path to the endpoint it calls, or allow longer with --timeout <seconds>',
  );
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Bearer tokens are JWTs; should an error message ever carry one, it never reaches the output. */
export function redactTokens(text: string): string {
  return text.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '<redacted token>');
}
