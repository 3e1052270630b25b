import { AutopilotError, ConcurrencyError, NotFoundError } from '../../../shared/errors';

/** Turns an SDK RestError into our typed errors, naming the resource the call was about. */
export function mapArmError(error: unknown, kind: string, id: string): Error {
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 404) return new NotFoundError(kind, id, 'check the name and the workspace in autopilot.yaml');
  if (status === 409) return new ConcurrencyError(`${kind} '${id}'`);
  const message = error instanceof Error ? error.message : armErrorText((error as { message?: unknown }).message);
  return new AutopilotError(`Azure ML call on ${kind} '${id}' failed${status ? ` (HTTP ${status})` : ''}: ${message}`, {
    retryable: status === undefined || status >= 500 || status === 429,
    cause: error,
  });
}

/** Runs an SDK call; a 404 becomes `undefined` (the "get" contract of the ports). */
export async function orUndefined<T>(call: () => Promise<T>, kind: string, id: string): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw mapArmError(error, kind, id);
  }
}

export async function armCall<T>(call: () => Promise<T>, kind: string, id: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapArmError(error, kind, id);
  }
}

/**
 * What ARM said, from a raw response body: `code: message` of its `{error: {code, message}}`
 * envelope when it has one, else the text itself (cut at 500 characters).
 */
export function armErrorText(body: unknown): string {
  if (typeof body !== 'string' || body.trim() === '') return 'no details in the answer';
  try {
    const { error } = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    if (error && typeof error.message === 'string')
      return typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message;
  } catch {
    // not JSON: shown as it came
  }
  return body.length > 500 ? `${body.slice(0, 500)}…` : body;
}
