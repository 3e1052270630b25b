import { AutopilotError } from '../errors';
import type { DeploymentCounts, CanaryInterval } from './types';

// Module constants, not global lookups: under Jest's vm sandbox each global access is slow
// enough to dominate long simulations.
const { isArray } = Array;
const { entries } = Object;
const { isInteger } = Number;

/**
 * Traffic counts that cannot be analysed (negative, fractional, or more events than
 * requests). Not retryable: the same counts fail again; the router's aggregation is wrong.
 */
export class InvalidTrafficCountsError extends AutopilotError {
  constructor(
    /** Where in the interval, e.g. `canary.slowerThan[1]`. */
    readonly where: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(
      `Canary analysis got ${where} = ${show(value)}: ${reason}. ` +
        "Traffic counts must be whole numbers >= 0 and no larger than the arm's requests; fix the traffic aggregation that produced them",
    );
  }
}

/**
 * Checks an interval by hand rather than with zod: it runs every few seconds per release
 * and thousands of times per simulated canary, and needs cross-field checks (events <= requests).
 */
export function validateInterval(interval: CanaryInterval): void {
  if (typeof interval !== 'object' || interval === null)
    throw new InvalidTrafficCountsError('interval', interval, 'expected { canary, stable }');
  validateDeploymentCounts(interval.canary, 'canary');
  validateDeploymentCounts(interval.stable, 'stable');
  if (interval.canary.slowerThan.length !== interval.stable.slowerThan.length) {
    throw new InvalidTrafficCountsError(
      'canary.slowerThan',
      interval.canary.slowerThan,
      `has ${interval.canary.slowerThan.length} thresholds but stable.slowerThan has ${interval.stable.slowerThan.length}; both arms must be counted against the same thresholds`,
    );
  }
}

function validateDeploymentCounts(arm: DeploymentCounts, name: string): void {
  if (typeof arm !== 'object' || arm === null)
    throw new InvalidTrafficCountsError(name, arm, 'expected { requests, errors, slowerThan, predictions }');
  count(arm.requests, `${name}.requests`);
  const atMostRequests = (value: unknown, where: string) => {
    count(value, where);
    if ((value as number) > arm.requests) {
      throw new InvalidTrafficCountsError(where, value, `exceeds ${name}.requests (${arm.requests})`);
    }
  };
  atMostRequests(arm.errors, `${name}.errors`);
  if (!isArray(arm.slowerThan)) throw new InvalidTrafficCountsError(`${name}.slowerThan`, arm.slowerThan, 'expected an array of counts');
  if (arm.slowerThan.length > 2) {
    throw new InvalidTrafficCountsError(`${name}.slowerThan`, arm.slowerThan, 'expected at most 2 thresholds [> stable p50, > stable p99]');
  }
  arm.slowerThan.forEach((v, i) => atMostRequests(v, `${name}.slowerThan[${i}]`));
  if (typeof arm.predictions !== 'object' || arm.predictions === null || isArray(arm.predictions)) {
    throw new InvalidTrafficCountsError(`${name}.predictions`, arm.predictions, 'expected an object of class -> count');
  }
  let predicted = 0;
  for (const [cls, v] of entries(arm.predictions)) {
    count(v, `${name}.predictions[${JSON.stringify(cls)}]`);
    predicted += v;
  }
  if (predicted > arm.requests) {
    throw new InvalidTrafficCountsError(`${name}.predictions`, predicted, `counts sum to more than ${name}.requests (${arm.requests})`);
  }
}

function count(value: unknown, where: string): void {
  if (typeof value !== 'number' || !isInteger(value)) throw new InvalidTrafficCountsError(where, value, 'not a whole number');
  if (value < 0) throw new InvalidTrafficCountsError(where, value, 'negative');
}

function show(value: unknown): string {
  if (typeof value === 'number' || value === undefined) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
