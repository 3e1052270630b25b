import { app, type EventGridEvent, type InvocationContext } from '@azure/functions';
import { BadRequestError } from '../shared/errors';
import { parseBlobCreated } from '../shared/events/blobCreated';
import { services } from './services';

/**
 * New training data: Event Grid delivers Microsoft.Storage.BlobCreated. A malformed
 * event is logged and acknowledged (redelivering it cannot help); a storage failure
 * throws, so Event Grid retries and nothing is lost.
 */
export async function onBlobCreated(event: EventGridEvent, context: InvocationContext): Promise<void> {
  let arrival;
  try {
    arrival = parseBlobCreated(event);
  } catch (error) {
    if (error instanceof BadRequestError) {
      context.error(`ignored malformed BlobCreated event ${String((event as { id?: unknown }).id)}: ${error.message}`);
      return;
    }
    throw error;
  }
  const result = await (await services()).engine.onDataArrival(arrival);
  if (result.kind === 'ignored') context.log(`ignored ${arrival.container}/${arrival.blobName}: ${result.reason}`);
  else context.log(`${result.kind} release ${result.release.id} (${result.release.status}) for ${arrival.container}/${arrival.blobName}`);
}

app.eventGrid('blobCreated', { handler: onBlobCreated });
