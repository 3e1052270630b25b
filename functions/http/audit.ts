import { z } from 'zod';
import { resolveSince } from '../../shared/endpoints/deploymentLogs';
import { BadRequestError } from '../../shared/errors';
import { parseQuery, wholeNumberParam } from './queryParams';
import { apiRoute } from './respond';

const AuditQuery = z.object({
  since: z.string().min(1).default('7d'),
  until: z.string().min(1).optional(),
  pipeline: z.string().min(1).optional(),
  release: z.string().min(1).optional(),
  limit: wholeNumberParam(1, 10_000, 1000),
});

/**
 * The audit log across releases, oldest first: `since`/`until` as ISO times or spans back
 * from now (90s, 15m, 24h, 7d; default the last 7 days up to now). `truncated` says more
 * entries matched than `limit`.
 */
apiRoute('listAudit', { route: 'audit', method: 'GET', action: 'read' }, async (request, s) => {
  const query = parseQuery(AuditQuery, request);
  const now = s.clock.now();
  const since = timeParam(query.since, now, 'query.since');
  const until = query.until ? timeParam(query.until, now, 'query.until') : now.toISOString();
  const page = await s.engine.repo.listAudit({
    since, until, limit: query.limit,
    ...(query.pipeline ? { pipeline: query.pipeline } : {}),
    ...(query.release ? { releaseId: query.release } : {}),
  });
  return { jsonBody: { since, until, ...page } };
});

/** resolveSince, with the error naming the parameter it came from. */
function timeParam(value: string, now: Date, where: string): string {
  try {
    return resolveSince(value, now);
  } catch (error) {
    throw error instanceof BadRequestError ? new BadRequestError(error.message, where) : error;
  }
}
