import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestError } from '../shared/errors';
import type { FunctionInvoker } from './functionInvoker';
import type { FunctionsCore } from './functionsCore';
import { readBody, sendJson } from './httpMessages';
import type { HostLogger } from './logger';
import { parseEventGridDelivery } from './parseEventGridDelivery';

export const EVENTGRID_WEBHOOK_PATH = '/runtime/webhooks/eventgrid';

/**
 * `POST /runtime/webhooks/eventgrid?functionName=NAME` (key already checked): the
 * validation handshakes, then one invocation per event. 200 when all succeeded, 500 when
 * any failed so Event Grid retries the delivery, 400 for a malformed body.
 */
export async function handleEventGridWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  deps: { core: FunctionsCore; invoker: FunctionInvoker; logger: HostLogger },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const functionName = url.searchParams.get('functionName') ?? '';
  const fn = deps.core.find(functionName);
  if (!fn || fn.trigger.type.toLowerCase() !== 'eventgridtrigger') {
    sendJson(res, 404, { error: `No function named '${functionName}' with an Event Grid trigger is registered` });
    return;
  }
  if (req.method === 'OPTIONS') {
    // CloudEvents webhook abuse protection: echo the origin we allow to send.
    const origin = req.headers['webhook-request-origin'];
    const allowed = Array.isArray(origin) ? origin[0] : origin;
    res.writeHead(200, allowed ? { 'WebHook-Allowed-Origin': allowed, 'WebHook-Allowed-Rate': '*' } : {}).end();
    return;
  }
  if (req.method !== 'POST') {
    sendJson(
      res,
      405,
      { error: 'The Event Grid webhook accepts POST (and OPTIONS for CloudEvents validation)' },
      { allow: 'POST, OPTIONS' },
    );
    return;
  }
  let delivery;
  try {
    delivery = parseEventGridDelivery(req.headers, await readBody(req));
  } catch (error) {
    if (!(error instanceof BadRequestError)) throw error;
    deps.logger.warn(`Rejected Event Grid delivery for ${fn.name}: ${error.message}`);
    sendJson(res, 400, { error: error.message });
    return;
  }
  if (delivery.kind === 'validation') {
    deps.logger.info(`Event Grid subscription validated for ${fn.name}`);
    sendJson(res, 200, { validationResponse: delivery.validationCode });
    return;
  }
  if (delivery.kind === 'unsubscribe') {
    res.writeHead(202).end();
    return;
  }
  let failed = 0;
  for (const event of delivery.events) {
    try {
      await deps.invoker.invoke(fn, event, {
        reason: 'EventGrid trigger fired',
        triggerMetadata: { data: event['data'], id: event['id'], subject: event['subject'] ?? event['source'] },
      });
    } catch {
      failed++; // already logged by the invoker with the stack
    }
  }
  if (failed > 0) {
    sendJson(res, 500, { error: `${failed} of ${delivery.events.length} event(s) failed; see the host log` });
  } else {
    res.writeHead(200, { 'content-length': '0' }).end();
  }
}
