import { randomUUID } from 'node:crypto';
import { app } from '@azure/functions';
import { z } from 'zod';
import { BadRequestError, NotFoundError } from '../../shared/errors';
import { ReleaseStatus } from '../../shared/release/types';
import { api, jsonBodyOf, requireRole } from './respond';

const ListQuery = z.object({
  pipeline: z.string().optional(),
  status: ReleaseStatus.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const StartBody = z.strictObject({
  pipeline: z.string().min(1).default('default'),
  blob: z.string().min(1).optional(),
  note: z.string().max(500).optional(),
});

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new BadRequestError(issue.message, [where, ...issue.path.map(String)].join('.'));
}

app.http('listReleases', {
  route: 'releases',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: api(async (request, _context, s) => {
    requireRole(request, s, 'read');
    const query = parseOrThrow(ListQuery, Object.fromEntries(request.query.entries()), 'query');
    return { jsonBody: { releases: await s.engine.repo.list(query) } };
  }),
});

app.http('getRelease', {
  route: 'releases/{id}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: api(async (request, _context, s) => {
    requireRole(request, s, 'read');
    const id = request.params.id ?? '';
    const row = await s.engine.repo.get(id);
    if (!row) throw new NotFoundError('release', id, 'List releases with GET /api/releases');
    return { jsonBody: { release: row.value, audit: await s.engine.repo.auditLog(id) } };
  }),
});

app.http('startRelease', {
  route: 'releases',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: api(async (request, _context, s) => {
    const caller = requireRole(request, s, 'release:start', 'dev');
    const body = parseOrThrow(StartBody, await jsonBodyOf(request), 'body');
    const requestId = request.headers.get('idempotency-key') ?? randomUUID();
    const result = await s.engine.startManual({ ...body, by: caller.name, requestId });
    if (result.kind === 'ignored') throw new BadRequestError(result.reason);
    return { status: result.kind === 'created' ? 202 : 200, jsonBody: { release: result.release } };
  }),
});
