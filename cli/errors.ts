import { AutopilotError } from '../shared/errors';

/**
 * The CLI's exit codes, the one place they are defined (documented in docs/cli.md):
 * scripts can tell "the release ended badly" from "you may not" from "the host is down".
 */
export const EXIT = {
  /** The command did what it was asked. */
  ok: 0,
  /** The operation failed or the release it followed ended other than succeeded; the API refused the request (400, 409, 5xx). */
  failed: 1,
  /** The command line is wrong (unknown command or option, bad value). */
  usage: 2,
  /** No or a bad token (401), or the token lacks the role (403); no Entra ID token could be had; storage refused the credentials. */
  auth: 3,
  /** The release, pipeline, endpoint or deployment named does not exist (404). */
  notFound: 4,
  /** The API (or, for upload, Blob Storage) did not answer at all (connection refused, timeout, DNS). */
  unreachable: 5,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one message on stderr and an exit code. */
export class CliError extends AutopilotError {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
  ) {
    super(message);
  }
}

/** The command line itself is wrong (exit code 2, like commander's own parse errors). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
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
    super(
      `Cannot reach the autopilot API at ${url} (${problem}). ${START_HINT}, or point --url / AUTOPILOT_URL at a running host.`,
      EXIT.unreachable,
    );
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
    super(`${detail}${where ? ` (at ${where})` : ''} [HTTP ${status} ${code}]${hintFor(status)}`, exitCodeFor(status));
  }
}

function exitCodeFor(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  return EXIT.failed;
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
