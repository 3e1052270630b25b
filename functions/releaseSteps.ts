import { app, type InvocationContext } from '@azure/functions';
import { StepMessage } from '../shared/release/types';
import { UnreadableRecordError } from '../shared/release/unreadable';
import { STEPS_QUEUE } from '../adapters/compose';
import { withInvocation, withSpan } from '../adapters/telemetry';
import { services } from './services';

/**
 * Drives one stage of a release per message. A message that does not parse throws, so
 * the host retries it and finally parks it in `autopilot-steps-poison` for inspection.
 * A step of a release whose record cannot be read is dropped with one line: retrying
 * cannot help, and `autopilot repair` ends that release (the sweeper reports it).
 */
export async function onReleaseStep(message: unknown, context: InvocationContext): Promise<void> {
  const step = StepMessage.parse(message);
  const correlation = { releaseId: step.releaseId, pipeline: step.pipeline, stage: step.stage };
  await withInvocation(context, correlation, () =>
    withSpan(
      'release.step',
      correlation,
      async () => {
        let release;
        try {
          release = await (await services()).steps.run(step);
        } catch (error) {
          if (!(error instanceof UnreadableRecordError)) throw error;
          context.warn(`step ${step.stage} of ${step.releaseId} dropped: ${error.message}`);
          return;
        }
        context.log(
          `step ${step.stage} (${step.reason}) of ${step.releaseId}: now ${release ? `${release.status} at ${release.stage}` : 'unknown release'}`,
        );
      },
      { attributes: { 'autopilot.step.reason': step.reason } },
    ),
  );
}

app.storageQueue('releaseSteps', { queueName: STEPS_QUEUE, connection: 'AzureWebJobsStorage', handler: onReleaseStep });
