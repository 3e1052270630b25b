import { join, resolve } from 'node:path';
import { startChildStack, type ChildStack } from '../../../devhost/childStack';

export { waitFor } from '../../support/waitFor';
export type TestStack = ChildStack;

const ROOT = resolve(__dirname, '../../..');

/** The real embedded stack on free ports, with the e2e fixture policy unless told otherwise. */
export function startTestStack(options: { config?: string; env?: Record<string, string> } = {}): Promise<ChildStack> {
  return startChildStack(options.config ?? join(ROOT, 'test/fixtures/e2e/autopilot.yaml'), {
    jobPollSeconds: '0.5',
    // A deadline for a success: starting Azurite, the host and the functions on a loaded 2-core machine.
    startTimeoutMs: 180_000,
    ...(options.env ? { env: options.env } : {}),
  });
}
