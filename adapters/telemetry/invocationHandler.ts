import type { InvocationContext } from '@azure/functions';
import { withInvocation, type Correlation } from './invocationScope';

/** Ids and names as the app makes them; anything else (a typo in a URL, a hostile path) is left out of logs. */
const SAFE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * A Functions handler that runs inside `withInvocation`: the app's logger writes through
 * the invocation's context, and every line and span carries `correlationOf(trigger)`. Reading
 * the correlation never fails the invocation: a malformed trigger gets none (the handler
 * itself decides what to do with it).
 */
export function invocationHandler<T, R>(
  handler: (trigger: T, context: InvocationContext) => Promise<R>,
  correlationOf: (trigger: T) => Correlation = () => ({}),
): (trigger: T, context: InvocationContext) => Promise<R> {
  return (trigger, context) =>
    withInvocation(
      context,
      safeCorrelation(() => correlationOf(trigger)),
      () => handler(trigger, context),
    );
}

function safeCorrelation(read: () => Correlation): Correlation {
  let found: Correlation;
  try {
    found = read();
  } catch {
    return {};
  }
  const safe: Correlation = {};
  for (const key of ['releaseId', 'pipeline', 'stage'] as const) {
    const value = found?.[key];
    if (typeof value === 'string' && SAFE.test(value)) safe[key] = value;
  }
  return safe;
}
