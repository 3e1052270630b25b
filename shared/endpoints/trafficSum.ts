import { BadRequestError } from '../errors';

/**
 * Azure ML's rule for an endpoint's live traffic: the percents sum to 100, or all are zero
 * (an endpoint that serves nothing yet). One rule for the Azure adapter, which checks before
 * a slow ARM round trip, and the local workspace, which plays Azure ML.
 */
export function checkTrafficSum(endpoint: string, traffic: Readonly<Record<string, number>>): void {
  const sum = Object.values(traffic).reduce((a, b) => a + b, 0);
  if (sum !== 100 && sum !== 0) {
    throw new BadRequestError(
      `traffic of endpoint '${endpoint}' must sum to 100 (or be all zero), got ${sum}: ${JSON.stringify(traffic)}`,
      'traffic',
    );
  }
}
