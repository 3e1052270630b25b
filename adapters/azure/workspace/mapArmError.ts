import { AutopilotError, ConcurrencyError, NotFoundError } from '../../../shared/errors';

/** Turns an SDK RestError into our typed errors, naming the resource the call was about. */
export function mapArmError(error: unknown, kind: string, id: string): Error {
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 404) return new NotFoundError(kind, id, 'check the name and the workspace in autopilot.yaml');
  if (status === 409) return new ConcurrencyError(`${kind} '${id}'`);
  const message = error instanceof Error ? error.message : String(error);
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
