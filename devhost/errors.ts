import { AutopilotError } from '../shared/errors';

/** A port the stack needs is taken by another process. */
export class PortInUseError extends AutopilotError {
  constructor(
    readonly port: number,
    readonly service: string,
    readonly option: string,
  ) {
    super(
      `Port ${port} (${service}) is already in use. Stop the process using it ` +
        `(e.g. \`lsof -i :${port}\`) or choose another port with ${option}.`,
    );
  }
}

/** The functions entry module is missing or throws while it loads. */
export class FunctionsEntryError extends AutopilotError {
  constructor(
    readonly entry: string,
    reason: string,
    cause?: unknown,
  ) {
    super(`Cannot load the functions entry ${entry}: ${reason}`, { cause });
  }
}

/** A registration the local host cannot run (bad route, schedule, binding...). */
export class FunctionRegistrationError extends AutopilotError {
  constructor(
    readonly functionName: string,
    reason: string,
  ) {
    super(`Function '${functionName}': ${reason}`);
  }
}

/** A handler ran longer than host.json's functionTimeout. */
export class FunctionTimeoutError extends AutopilotError {
  constructor(
    readonly functionName: string,
    readonly timeoutMs: number,
  ) {
    super(
      `Function '${functionName}' did not finish within ${timeoutMs} ms (host.json functionTimeout); ` +
        'raise functionTimeout or make the step shorter',
      { retryable: true },
    );
  }
}
