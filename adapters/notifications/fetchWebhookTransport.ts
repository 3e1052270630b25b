import type { WebhookTransport } from '../../shared/notifications';

export interface FetchWebhookTransportOptions {
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
}

/**
 * POSTs with Node's fetch. Errors name neither the URL nor the body: webhook URLs carry
 * credentials (Slack, Teams), and the core logs only their origin.
 */
export function fetchWebhookTransport(options: FetchWebhookTransportOptions = {}): WebhookTransport {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async post(url, headers, body) {
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        const cause = error as Error & { cause?: { code?: string } };
        // The fetch error may name the webhook's URL, which can carry a token: keep only its code.
        // eslint-disable-next-line preserve-caught-error
        throw new Error(
          cause.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `no answer (${cause.cause?.code ?? cause.name})`,
        );
      }
      // What the receiver says is not needed: drop the body rather than read it, so a receiver
      // answering a huge or endless body holds neither memory nor the delivery (until the timeout).
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status, retryAfter: response.headers.get('retry-after') };
    },
  };
}
