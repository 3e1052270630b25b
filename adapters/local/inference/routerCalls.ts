import type { ChildProcess } from 'node:child_process';
import type { RouterCall } from './routerMessages';

/** The router process was gone (or went) before a call was done. */
export class RouterGoneError extends Error {
  constructor(
    message: string,
    readonly child?: ChildProcess,
  ) {
    super(message);
    this.name = 'RouterGoneError';
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The host's calls into its router process over IPC, each answered once by a `result`
 * message with its id. A stuck router (looping, stopped) must not hang the control plane:
 * a call not answered within `timeoutMs` fails (stop has its own timeout).
 */
export class RouterCalls {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(private readonly timeoutMs: number) {}

  send(child: ChildProcess | undefined, call: RouterCall): Promise<unknown> {
    if (!child?.connected)
      return Promise.reject(new RouterGoneError(`the endpoint router process is not running (${call.op} not done)`, child));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer =
        call.op === 'stop'
          ? undefined
          : setTimeout(() => {
              this.pending.delete(id);
              reject(
                new Error(`the endpoint router process did not answer ${call.op} within ${this.timeoutMs / 1000} s (stuck or overloaded)`),
              );
            }, this.timeoutMs);
      this.pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      child.send({ kind: 'call', id, call }, (error) => {
        if (!error) return;
        const waiting = this.pending.get(id);
        this.pending.delete(id);
        waiting?.reject(new RouterGoneError(`the endpoint router process could not be told to ${call.op}: ${error.message}`, child));
      });
    });
  }

  /** The router's answer to call `id`. */
  settle(id: number, value: unknown, error: string | undefined): void {
    const waiting = this.pending.get(id);
    this.pending.delete(id);
    if (error !== undefined) waiting?.reject(new Error(error));
    else waiting?.resolve(value);
  }

  /** The router process exited: every call still waiting fails with why. */
  failAll(child: ChildProcess, cause: string): void {
    for (const waiting of this.pending.values())
      waiting.reject(new RouterGoneError(`the endpoint router process exited (${cause})`, child));
    this.pending.clear();
  }
}
