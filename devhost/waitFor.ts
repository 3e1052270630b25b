/** Polls until a condition holds: for tests and benchmarks that drive the real stack from outside. */
export interface WaitForOptions {
  /** @default 120_000 */
  timeoutMs?: number;
  /** Gives up at once when this returns a reason (e.g. the stack process died). @default never */
  giveUpIf?: () => string | undefined;
  /** Polling is fine: every figure comes from timestamps recorded by the stack, not from when we saw them. @default 200 */
  intervalMs?: number;
}

/** Polls until `check` returns a value (`undefined` and `false` mean "not yet"), or fails with what was last seen. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, options: WaitForOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let last: unknown;
  while (Date.now() < deadline) {
    const reason = options.giveUpIf?.();
    if (reason) throw new Error(`gave up waiting for ${what}: ${reason}`);
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

/**
 * `waitFor` with the probe first, polling every 50 ms: the shape the workspace tests read best in.
 * The deadline only bounds how long a failure takes: generous, for a loaded CI machine.
 */
export function until<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  return waitFor(what, async () => probe(), { timeoutMs, intervalMs: 50 });
}
