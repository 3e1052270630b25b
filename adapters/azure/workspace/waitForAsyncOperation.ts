import type { ServiceClient } from '@azure/core-client';
import { createPipelineRequest } from '@azure/core-rest-pipeline';
import { AutopilotError } from '../../../shared/errors';

/**
 * Polls an `Azure-AsyncOperation` status URL through the client's pipeline (token, retries)
 * for requests the SDK cannot send itself, so it has no poller for them.
 * @param intervalMs pause between polls. @default 2000
 */
export async function waitForAsyncOperation(client: ServiceClient, statusUrl: string, what: string, intervalMs = 2000): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  while (Date.now() < deadline) {
    const poll = await client.pipeline.sendRequest(client, createPipelineRequest({ url: statusUrl, method: 'GET' }));
    if (poll.status >= 400) throw new AutopilotError(`Polling the ${what} failed with HTTP ${poll.status}`, { retryable: poll.status >= 500 });
    const status = (JSON.parse(poll.bodyAsText ?? '{}') as { status?: string }).status;
    if (status === 'Succeeded') return;
    if (status === 'Failed' || status === 'Canceled') throw new AutopilotError(`The ${what} ended ${status}; see the endpoint's activity log in the Azure portal`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new AutopilotError(`The ${what} did not finish within 30 minutes`, { retryable: true });
}
