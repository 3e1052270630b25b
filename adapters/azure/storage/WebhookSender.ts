import { ensureError } from '../../../shared/errors';
import type { Logger, OutgoingEvent } from '../../../shared/ports';

export interface WebhookSenderOptions {
  /** Retries after the first attempt. @default 3 */
  retries?: number;
  /** Per-attempt timeout. @default 5000 */
  timeoutMs?: number;
  /** First backoff delay, doubled per retry. @default 500 */
  backoffMs?: number;
  logger?: Logger;
}

/**
 * Best-effort CloudEvents delivery to webhooks (HTTP batched mode,
 * `application/cloudevents-batch+json`). Never throws: a notification that cannot be
 * delivered must not fail the release that emitted it. Logs name only the URL's origin,
 * because webhook paths and queries often carry the secret (Slack, Teams, ...).
 */
export class WebhookSender {
  private readonly options: Required<Omit<WebhookSenderOptions, 'logger'>> & { logger: Logger | undefined };

  constructor(
    private readonly urls: readonly string[],
    options: WebhookSenderOptions = {},
  ) {
    this.options = {
      retries: options.retries ?? 3,
      timeoutMs: options.timeoutMs ?? 5000,
      backoffMs: options.backoffMs ?? 500,
      logger: options.logger,
    };
  }

  /** Delivers to every URL in parallel; resolves to the URLs (redacted) that failed. */
  async send(events: readonly OutgoingEvent[]): Promise<string[]> {
    if (events.length === 0 || this.urls.length === 0) return [];
    const body = JSON.stringify(events.map((event) => ({ specversion: '1.0', datacontenttype: 'application/json', ...event })));
    const results = await Promise.all(this.urls.map(async (url) => ((await this.deliver(url, body, events.length)) ? undefined : redactUrl(url))));
    return results.filter((url): url is string => url !== undefined);
  }

  private async deliver(url: string, body: string, count: number): Promise<boolean> {
    let lastProblem = '';
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (attempt > 0) await delay(this.options.backoffMs * 2 ** (attempt - 1));
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents-batch+json; charset=utf-8' },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return true;
        lastProblem = `HTTP ${response.status}`;
        // 4xx other than throttling will not get better by retrying.
        if (response.status < 500 && response.status !== 408 && response.status !== 429) break;
      } catch (error) {
        const cause = ensureError(error);
        lastProblem = cause.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : cause.message;
      }
    }
    this.options.logger?.warn('webhook delivery failed; events are still in the event log', {
      webhook: redactUrl(url),
      events: count,
      problem: lastProblem,
    });
    return false;
  }
}

/** Origin only: the rest of a webhook URL is often a credential. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname === '/' && !parsed.search ? parsed.origin : `${parsed.origin}/…`;
  } catch {
    return '(invalid URL)';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
