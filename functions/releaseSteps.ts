import { app, type InvocationContext } from '@azure/functions';
import { StepMessage } from '../shared/release/types';
import { STEPS_QUEUE } from '../adapters/compose';
import { withInvocation, withSpan } from '../adapters/telemetry';
import { services } from './services';

/**
 * Drives one stage of a release per message. A message that does not parse throws, so
 * the host retries it and finally parks it in `autopilot-steps-poison` for inspection.
 */
export async function onReleaseStep(message: unknown, context: InvocationContext): Promise<void> {
  const step = StepMessage.parse(message);
  const correlation = { releaseId: step.releaseId, pipeline: step.pipeline, stage: step.stage };
  await withInvocation(context, correlation, () =>
    withSpan('release.step', correlation, async () => {
      const release = await (await services()).steps.run(step);
      context.log(`step ${step.stage} (${step.reason}) of ${step.releaseId}: now ${release ? `${release.status} at ${release.stage}` : 'unknown release'}`);
    }, { attributes: { 'autopilot.step.reason': step.reason } }),
  );
}

app.storageQueue('releaseSteps', { queueName: STEPS_QUEUE, connection: 'AzureWebJobsStorage', handler: onReleaseStep });
