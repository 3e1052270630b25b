import { app, type EventGridEvent, type InvocationContext } from '@azure/functions';
import { invocationHandler } from '../adapters/telemetry';
import { reactToAmlEvent } from '../shared/alerts/reactToAmlEvent';
import { BadRequestError } from '../shared/errors';
import { parseAmlEvent } from '../shared/events/amlEvents';
import { services } from './services';

/**
 * Azure ML workspace events through Event Grid (Event Grid or CloudEvents schema).
 * An event we cannot use — malformed, or of a type we do not handle — is logged and
 * acknowledged: redelivering it cannot help. Storage or engine failures throw, so
 * Event Grid retries.
 */
export async function onAmlEvent(event: EventGridEvent, context: InvocationContext): Promise<void> {
  let parsed;
  try {
    parsed = parseAmlEvent(event);
  } catch (error) {
    if (error instanceof BadRequestError) {
      const id = (event as { id?: unknown }).id;
      context.warn(`ignored Azure ML event ${String(id)}: ${error.message}`);
      return;
    }
    throw error;
  }
  const s = await services();
  const record = await reactToAmlEvent(parsed, s.amlEvents);
  s.logger.info(
    `${record.type} ${record.subject}: ${record.outcome}${record.releaseId ? ` (release ${record.releaseId})` : ''}`,
    record.releaseId ? { releaseId: record.releaseId } : {},
  );
}

app.eventGrid('amlEvents', { handler: invocationHandler(onAmlEvent) });
