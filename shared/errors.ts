/**
 * Typed errors of the core. Each names the failure, keeps its ids as readonly fields,
 * says what to do next, and decides at the throw site whether a retry can help.
 */
export interface AutopilotErrorOptions {
  /** Whether retrying the same operation may succeed. @default false */
  retryable?: boolean;
  cause?: unknown;
}

export class AutopilotError extends Error {
  readonly retryable: boolean;
  constructor(message: string, options: AutopilotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }
}

/** An `autopilot.yaml` (or job spec) that cannot be used. */
export class ConfigError extends AutopilotError {
  constructor(
    readonly file: string,
    readonly issues: readonly { path: string; message: string; line?: number }[],
  ) {
    super(
      `Invalid configuration in ${file}:\n` +
        issues.map((i) => `  - ${i.line ? `line ${i.line}, ` : ''}${i.path || '(root)'}: ${i.message}`).join('\n'),
    );
  }
}

/** Input data that the data gate refuses (not an error of the system). */
export class DataValidationError extends AutopilotError {
  constructor(
    readonly blob: string,
    message: string,
  ) {
    super(`${blob}: ${message}`);
  }
}

export class NotFoundError extends AutopilotError {
  constructor(
    readonly kind: string,
    readonly id: string,
    hint = '',
  ) {
    super(`${kind} '${id}' not found${hint ? `. ${hint}` : ''}`);
  }
}

/** Optimistic concurrency lost: somebody else wrote first. Retry from a fresh read. */
export class ConcurrencyError extends AutopilotError {
  constructor(readonly key: string) {
    super(`Concurrent update of ${key}; retry with a fresh read`, { retryable: true });
  }
}

export class AlreadyExistsError extends AutopilotError {
  constructor(readonly key: string) {
    super(`${key} already exists`);
  }
}

/** A caller without the role the action needs in that environment. */
export class ForbiddenError extends AutopilotError {
  constructor(
    readonly principal: string,
    readonly action: string,
    readonly environment?: string,
  ) {
    super(
      `${principal} may not ${action}${environment ? ` in ${environment}` : ''}; ` +
        `ask an ML engineer to grant the role for that environment`,
    );
  }
}

/** A request the API refuses as malformed; `where` points at the field. */
export class BadRequestError extends AutopilotError {
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
  }
}

/**
 * The identity provider cannot be reached (its signing keys did not load), so no token can be
 * checked. Not the caller's fault: a 503 they can retry, not a 401 that sends them to fix their token.
 */
export class SignInUnavailableError extends AutopilotError {
  constructor(
    readonly provider: string,
    readonly why: string,
  ) {
    super(`sign-in is unavailable: the signing keys of ${provider} could not be fetched (${why}); try again in a minute`, {
      retryable: true,
    });
  }
}

/** Normalises anything thrown into an Error once, at the edge. */
export function ensureError(value: unknown): Error {
  if (value instanceof Error) return value;
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return new Error(`Non-error thrown: ${text}`);
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof AutopilotError) return error.retryable;
  // Unknown failures (network, storage 5xx) are worth another delivery.
  return true;
}

/** The backend of an environment cannot do this at all (not a failure that a retry could fix). */
export class NotSupportedError extends AutopilotError {
  constructor(
    readonly operation: string,
    readonly backend: string,
    readonly why: string,
  ) {
    super(`${operation} is not supported on the ${backend} backend: ${why}`);
  }
}

/**
 * Something a stage needs is still being provisioned (an Azure ML deployment takes minutes,
 * longer than one function invocation should wait): the stage runs again after
 * `retryAfterSeconds` (default: the engine's provisioning poll) without using up an
 * attempt, until the engine's provisioning timeout.
 */
export class StillProvisioningError extends AutopilotError {
  constructor(
    readonly resource: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(`${resource} is still being provisioned`, { retryable: true });
  }
}
