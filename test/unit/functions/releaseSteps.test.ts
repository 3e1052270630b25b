import { InvocationContext } from '@azure/functions';
import { UnreadableRecordError } from '../../../shared/release/unreadable';
import type { Services } from '../../../adapters/compose';
import { provideServices } from '../../../functions/services';

/** functions/releaseSteps.ts with the step runner replaced: what it acknowledges and what it hands back for a retry. */
let failure: Error | undefined;
// Only the port this handler uses: the step runner.
provideServices(
  () =>
    ({
      steps: {
        run: async () => {
          if (failure) throw failure;
          return undefined;
        },
      },
    }) as unknown as Services,
);
const { onReleaseStep } = require('../../../functions/releaseSteps') as typeof import('../../../functions/releaseSteps');

const message = { releaseId: 'default-20260101-000000-abcdef', pipeline: 'default', stage: 'evaluate', reason: 'advance' };

describe('onReleaseStep', () => {
  it('acknowledges a step of a release whose record cannot be read, with a warning naming the repair', async () => {
    failure = new UnreadableRecordError(message.releaseId, 'metrics.candidate.accuracy: expected number, received null');
    const warnings: unknown[][] = [];
    const context = new InvocationContext({
      functionName: 'releaseSteps',
      invocationId: 'i-1',
      logHandler: (level, ...args) => void (level === 'warning' && warnings.push(args)),
    });
    await expect(onReleaseStep(message, context)).resolves.toBeUndefined();
    expect(String(warnings[0])).toMatch(/dropped: .*autopilot repair default-20260101-000000-abcdef/);
  });

  it('throws any other failure, so the host retries the message', async () => {
    failure = new Error('storage unavailable');
    await expect(onReleaseStep(message, new InvocationContext({ functionName: 'releaseSteps', invocationId: 'i-2' }))).rejects.toThrow(
      'storage unavailable',
    );
  });
});
