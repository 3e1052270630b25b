/**
 * The one polling helper of the tests (and the benchmarks, which drive the real stack from
 * outside the same way). Polling is fine where figures come from timestamps the system
 * records, not from when we saw them; the deadline only bounds how long a failure takes to
 * report, so it is generous for a loaded CI machine. Never a wall-clock assertion.
 */
export interface WaitForOptions {
  /** @default 60_000 */
  timeoutMs?: number;
  /** @default 50 */
  intervalMs?: number;
  /** Gives up at once when this returns a reason (e.g. the stack process died). @default never */
  giveUpIf?: () => string | undefined;
}

/**
 * Polls until `check` returns a value (`undefined` and `false` mean "not yet"), or fails with
 * `what` and the last error `check` threw (a throwing check counts as "not yet").
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: unknown;
  for (;;) {
    const reason = options.giveUpIf?.();
    if (reason) throw new Error(`gave up waiting for ${what}: ${reason}`);
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}
