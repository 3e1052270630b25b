import { app, type EventGridEvent, type InvocationContext } from '@azure/functions';
import { invocationHandler } from '../adapters/telemetry';
import { BadRequestError } from '../shared/errors';
import { parseBlobCreated } from '../shared/events/blobCreated';
import { INFERENCE_CONTAINER } from '../shared/monitoring/inferenceRecord';
import { summariseArrival } from '../shared/monitoring/summariseArrival';
import { services } from './services';

/**
 * New inference data: Event Grid delivers BlobCreated of `inference-data`, and the blob is
 * summarised now for the monitors of its endpoint, so their runs merge it instead of reading it
 * (docs/monitoring-statistics.md). A malformed event or a blob that cannot be summarised is
 * logged and acknowledged (the runs read such a blob); a storage failure throws, so Event Grid
 * retries. The log line carries the wall and CPU time of the work, the cost moved off the runs.
 */
export async function onInferenceBlobCreated(event: EventGridEvent, context: InvocationContext): Promise<void> {
  let where = String((event as { id?: unknown }).id);
  try {
    const arrival = parseBlobCreated(event);
    where = `${arrival.container}/${arrival.blobName}`;
    if (arrival.container !== INFERENCE_CONTAINER) {
      context.warn(`ignored ${where}: only ${INFERENCE_CONTAINER} is summarised; subscribe this function to that container alone`);
      return;
    }
    const s = await services();
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = await summariseArrival(arrival.blobName, s.monitors);
    const spent = process.cpuUsage(cpu);
    const cost = `${(performance.now() - started).toFixed(0)} ms wall, ${((spent.user + spent.system) / 1000).toFixed(0)} ms CPU`;
    if (result.kind === 'ignored') {
      context.log(`ignored ${where}: ${result.reason}`);
      return;
    }
    for (const o of result.outcomes) {
      if (o.kind === 'stored') {
        context.log(`summarised ${where} for ${o.pipeline} (${o.deployment}): ${o.records} records in ${cost}`);
        if (o.malformed > 0)
          context.warn(
            `${where}: ${o.malformed} lines are not inference records (first: ${o.firstMalformed}); the monitor of ${o.pipeline} reports them`,
          );
      } else if (o.kind === 'unsummarised') {
        context.error(
          `cannot summarise ${where} for ${o.pipeline}: ${o.reason}. Its monitor runs read it and report what they find; fix or remove the blob.`,
        );
      } else if (o.kind === 'skipped') context.log(`no summary of ${where} for ${o.pipeline}: ${o.reason}`);
    }
  } catch (error) {
    if (error instanceof BadRequestError) {
      context.error(`ignored malformed BlobCreated event for ${where}: ${error.message}`);
      return;
    }
    throw error;
  }
}

app.eventGrid('inferenceBlobCreated', { handler: invocationHandler(onInferenceBlobCreated) });
