import { AutopilotError } from '../shared/errors';

/** An error the CLI reports as one message on stderr and an exit code. */
export class CliError extends AutopilotError {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The command line itself is wrong (exit code 2, like commander's own parse errors). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** How to get a host to talk to; appended wherever the API or storage cannot be reached. */
export const START_HINT = 'Is the embedded stack running? Start it with `npm start` (or `autopilot start`)';

/** The Functions host's HTTP API did not answer at all. */
export class ApiUnreachableError extends CliError {
  constructor(
    readonly url: string,
    problem: string,
  ) {
    super(`Cannot reach the autopilot API at ${url} (${problem}). ${START_HINT}, or point --url / AUTOPILOT_URL at a running host.`);
  }
}

/** The API answered with an error (`{ error: { code, message, where? } }`). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly where?: string,
  ) {
    super(`${detail}${where ? ` (at ${where})` : ''} [HTTP ${status} ${code}]${hintFor(status)}`);
  }
}

function hintFor(status: number): string {
  if (status === 401) return '. Pass --token or set AUTOPILOT_TOKEN; the local stack writes its tokens to .autopilot/tokens.json';
  if (status === 403) return '. Your token lacks the role for this action; use an ML engineer token';
  return '';
}

/** A network failure's most telling message: undici hides the errno in `cause`. */
export function networkProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code) return cause.code;
  if ((error as Error | null)?.name === 'TimeoutError') return 'no answer in time';
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}
