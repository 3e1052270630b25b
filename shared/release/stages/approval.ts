import type { StageHandler } from '../context';
import { releaseEvent } from '../releaseEvents';

/** Re-check this often while waiting; an approval also nudges the release at once. */
const RECHECK_SECONDS = 30;

/**
 * The optional gate before prod: an ML engineer with the prod role approves through the
 * API or CLI; without an answer in time the release is cancelled, prod untouched.
 */
export const approval: StageHandler = async (release, ctx) => {
  const policy = ctx.pipeline.rollout.approval;
  if (!policy.required) return { kind: 'advance', detail: 'not required by policy' };
  if (release.approval?.at) return { kind: 'advance', detail: `approved by ${release.approval.by}` };
  const now = ctx.clock.now();
  if (!release.approval) {
    return {
      kind: 'wait',
      // Published once the wait is recorded, through the release's outbox.
      events: [releaseEvent('ApprovalRequested', release, now, { timeoutMinutes: policy.timeoutMinutes })],
      delaySeconds: RECHECK_SECONDS,
      detail: `waiting for an ML engineer (prod) to approve, for up to ${policy.timeoutMinutes} min`,
      patch: { approval: { requestedAt: now.toISOString() } },
    };
  }
  const waitedMinutes = (now.getTime() - Date.parse(release.approval.requestedAt)) / 60_000;
  if (waitedMinutes >= policy.timeoutMinutes) {
    return { kind: 'end', status: 'cancelled', reason: `approval timed out after ${policy.timeoutMinutes} min; prod untouched` };
  }
  return {
    kind: 'wait',
    delaySeconds: RECHECK_SECONDS,
    detail: `waiting for approval (${Math.floor(waitedMinutes)} of ${policy.timeoutMinutes} min)`,
  };
};
