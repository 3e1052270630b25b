import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { BadRequestError, NotFoundError } from '../../shared/errors';
import { ReleaseStatus } from '../../shared/release/types';
import { releaseReport, reportMarkdown } from '../../shared/release/report';
import { reportSources } from '../../shared/release/reportSources';
import { monitorDeps } from '../monitorDeps';
import { wholeNumberParam, parseQuery } from './queryParams';
import { apiRoute, jsonBodyOf, parseOrThrow } from './respond';

const ListQuery = z.object({
  pipeline: z.string().optional(),
  status: ReleaseStatus.optional(),
  limit: wholeNumberParam(1, 1000, 100),
});

const LogQuery = z.looseObject({
  maxBytes: wholeNumberParam(1, 1048576, 65536),
});

const StartBody = z.strictObject({
  pipeline: z.string().min(1).default('default'),
  blob: z.string().min(1).optional(),
  note: z.string().max(500).optional(),
});


/**
 * Records that no longer parse are listed apart in `unreadable` ({id, pipeline, error,
 * repair}) instead of failing the whole listing: one bad record must not hide every pipeline.
 */
apiRoute('listReleases', { route: 'releases', method: 'GET', action: 'read' }, async (request, s) => {
  const query = parseQuery(ListQuery, request);
  const { releases, unreadable } = await s.engine.repo.scan(query);
  return { jsonBody: { releases, unreadable } };
});

apiRoute('getRelease', { route: 'releases/{id}', method: 'GET', action: 'read' }, async (request, s) => {
  const release = await s.control.get(request.params.id ?? '');
  return { jsonBody: { release, audit: await s.engine.repo.auditLog(release.id) } };
});

const ReportQuery = z.object({ format: z.enum(['json', 'md']).default('json') });

/** The release's decision record: JSON, or Markdown with ?format=md; with the model's lineage and the monitor run that triggered it. */
apiRoute('getReleaseReport', { route: 'releases/{id}/report', method: 'GET', action: 'read' }, async (request, s) => {
  const release = await s.control.get(request.params.id ?? '');
  const sources = await reportSources(release, { registry: s.workspaces.dev, table: monitorDeps(s).table });
  const report = releaseReport(release, await s.engine.repo.auditLog(release.id), sources);
  const { format } = parseQuery(ReportQuery, request);
  if (format === 'md') return { headers: { 'content-type': 'text/markdown; charset=utf-8' }, body: reportMarkdown(report) };
  return { jsonBody: { report } };
});

/** The training job's log (its tail), as text. */
apiRoute('getReleaseLog', { route: 'releases/{id}/log', method: 'GET', action: 'read' }, async (request, s) => {
  const release = await s.control.get(request.params.id ?? '');
  if (!release.job) throw new NotFoundError('training job of release', release.id, 'The release has not reached the train stage');
  const { maxBytes } = parseQuery(LogQuery, request);
  const log = await s.workspaces.dev.jobLog(release.job.name, maxBytes);
  return { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: log };
});

/** Starts a release by hand; `Idempotency-Key` makes a retried request return the same release. */
apiRoute('startRelease', { route: 'releases', method: 'POST', action: 'release:start', environment: 'dev' }, async (request, s, caller) => {
  const body = parseOrThrow(StartBody, await jsonBodyOf(request), 'body');
  const requestId = request.headers.get('idempotency-key') ?? randomUUID();
  const result = await s.engine.startManual({ ...body, by: caller!.name, requestId });
  if (result.kind === 'ignored') throw new BadRequestError(result.reason);
  return { status: result.kind === 'created' ? 202 : 200, jsonBody: { release: result.release } };
});
