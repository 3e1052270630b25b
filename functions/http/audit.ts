import { z } from 'zod';
import { resolveSince } from '../../shared/endpoints/deploymentLogs';
import { BadRequestError } from '../../shared/errors';
import { AuditResponse } from '../../shared/api/releaseResponses';
import { wholeNumberParam } from './queryParams';
import { apiRoute } from './respond';

const AuditQuery = z.object({
  since: z.string().min(1).optional(),
  until: z.string().min(1).optional(),
  pipeline: z.string().min(1).optional(),
  release: z.string().min(1).optional(),
  limit: wholeNumberParam(1, 10_000, 1000),
});

/**
 * The audit log across releases, oldest first: `since`/`until` as ISO times or spans back
 * from now (90s, 15m, 24h, 7d; default the last 7 days up to now, or with `release` that
 * release's whole log). `truncated` says more
 * entries matched than `limit`.
 */
apiRoute(
  'listAudit',
  {
    route: 'audit',
    method: 'GET',
    action: 'read',
    query: AuditQuery,
    summary: 'The audit log across releases, oldest first (`since`/`until`: ISO times or spans such as 24h, 7d; default the last 7 days).',
    responses: { 200: { description: 'The entries in the range', json: AuditResponse } },
  },
  async (_request, s, _caller, { query }) => {
    const now = s.clock.now();
    // One release's whole log by default; across releases the last 7 days.
    const since = query.since
      ? timeParam(query.since, now, 'query.since')
      : query.release
        ? new Date(0).toISOString()
        : timeParam('7d', now, 'query.since');
    const until = query.until ? timeParam(query.until, now, 'query.until') : now.toISOString();
    const page = await s.releases.listAudit({
      since,
      until,
      limit: query.limit,
      ...(query.pipeline ? { pipeline: query.pipeline } : {}),
      ...(query.release ? { releaseId: query.release } : {}),
    });
    return { jsonBody: { since, until, ...page } };
  },
);

/** resolveSince, with the error naming the parameter it came from. */
function timeParam(value: string, now: Date, where: string): string {
  try {
    return resolveSince(value, now);
  } catch (error) {
    throw error instanceof BadRequestError ? new BadRequestError(error.message, where) : error;
  }
}
