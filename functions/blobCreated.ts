import { app, type EventGridEvent, type InvocationContext } from '@azure/functions';
import { invocationHandler } from '../adapters/telemetry';
import { BadRequestError } from '../shared/errors';
import { parseBlobCreated } from '../shared/events/blobCreated';
import { services } from './services';

/**
 * New training data: Event Grid delivers Microsoft.Storage.BlobCreated. A malformed
 * event, or one whose blob name the engine refuses, is logged and acknowledged
 * (redelivering it cannot help); a storage failure throws, so Event Grid retries and
 * nothing is lost.
 */
export async function onBlobCreated(event: EventGridEvent, context: InvocationContext): Promise<void> {
  try {
    const arrival = parseBlobCreated(event);
    const s = await services();
    const result = await s.releaseStarts.onDataArrival(arrival);
    if (result.kind === 'ignored') context.log(`ignored ${arrival.container}/${arrival.blobName}: ${result.reason}`);
    else
      s.logger.info(`${result.kind} release ${result.release.id} (${result.release.status}) for ${arrival.container}/${arrival.blobName}`, {
        releaseId: result.release.id,
        pipeline: result.release.pipeline,
      });
  } catch (error) {
    if (error instanceof BadRequestError) {
      context.error(`ignored malformed BlobCreated event ${String((event as { id?: unknown }).id)}: ${error.message}`);
      return;
    }
    throw error;
  }
}

// The release (and so its pipeline) is known only once the engine has taken the blob.
app.eventGrid('blobCreated', { handler: invocationHandler(onBlobCreated) });
