import type { PipelineResponse } from '@azure/core-rest-pipeline';
import { AutopilotError } from '../../../shared/errors';
import { armErrorText } from './mapArmError';

/** What one poll of a long-running ARM operation found. */
export type PollAnswer = 'done' | 'running';

/**
 * Polls a long-running ARM operation the SDK has no poller for (raw requests) until `judge`
 * says done or throws, for at most 30 minutes.
 * @param send one GET of the status URL, through the client's pipeline (token, retries).
 * @param intervalMs pause between polls. @default 2000
 */
export async function pollArmOperation(
  send: () => Promise<PipelineResponse>,
  what: string,
  judge: (poll: PipelineResponse) => PollAnswer,
  intervalMs = 2000,
): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  while (Date.now() < deadline) {
    if (judge(await send()) === 'done') return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new AutopilotError(`The ${what} did not finish within 30 minutes`, { retryable: true });
}

/** An `Azure-AsyncOperation` status URL: its body's `status` tells. */
export function asyncOperationStatus(what: string): (poll: PipelineResponse) => PollAnswer {
  return (poll) => {
    if (poll.status >= 400)
      throw new AutopilotError(`Polling the ${what} failed with HTTP ${poll.status}`, { retryable: poll.status >= 500 });
    const status = (JSON.parse(poll.bodyAsText ?? '{}') as { status?: string }).status;
    if (status === 'Succeeded') return 'done';
    if (status === 'Failed' || status === 'Canceled') {
      throw new AutopilotError(`The ${what} ended ${status}: ${armErrorText(poll.bodyAsText)}; see the activity log in the Azure portal`);
    }
    return 'running';
  };
}
