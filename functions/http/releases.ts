import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ReleaseIdParams } from '../../shared/api/pathParams';
import { ReleaseDetailResponse, ReleaseReportResponse, ReleaseResponse, ReleasesResponse } from '../../shared/api/releaseResponses';
import { BadRequestError, NotFoundError } from '../../shared/errors';
import { ReleaseStatus } from '../../shared/release/types';
import { releaseReport } from '../../shared/release/report';
import { reportMarkdown } from '../../shared/release/reportMarkdown';
import { reportSources } from '../../shared/release/reportSources';
import { wholeNumberParam } from './queryParams';
import { apiRoute } from './respond';

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

const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'A retried request with the same key returns the same release (200 instead of 202).' }),
});

/**
 * Records that no longer parse are listed apart in `unreadable` ({id, pipeline, error,
 * repair}) instead of failing the whole listing: one bad record must not hide every pipeline.
 */
apiRoute(
  'listReleases',
  {
    route: 'releases',
    method: 'GET',
    action: 'read',
    query: ListQuery,
    summary: 'Lists releases, newest first; records that no longer parse are listed apart in `unreadable`.',
    responses: { 200: { description: 'The releases', json: ReleasesResponse } },
  },
  async (_request, s, _caller, { query }) => {
    const { releases, unreadable } = await s.releases.scan(query);
    return { jsonBody: { releases, unreadable } };
  },
);

apiRoute(
  'getRelease',
  {
    route: 'releases/{id}',
    method: 'GET',
    action: 'read',
    params: ReleaseIdParams,
    errors: [409],
    summary: 'One release with its audit log.',
    responses: { 200: { description: 'The release and its audit log', json: ReleaseDetailResponse } },
  },
  async (_request, s, _caller, { params }) => {
    const release = await s.control.get(params.id);
    return { jsonBody: { release, audit: await s.releases.auditLog(release.id) } };
  },
);

const ReportQuery = z.object({ format: z.enum(['json', 'md']).default('json') });

/** The release's decision record: JSON, or Markdown with ?format=md; with the model's lineage and the monitor run that triggered it. */
apiRoute(
  'getReleaseReport',
  {
    route: 'releases/{id}/report',
    method: 'GET',
    action: 'read',
    params: ReleaseIdParams,
    query: ReportQuery,
    errors: [409],
    summary: "The release's decision record (model card): JSON, or Markdown with `?format=md`.",
    responses: { 200: { description: 'The decision record', json: ReleaseReportResponse, text: 'text/markdown' } },
  },
  async (_request, s, _caller, { params, query }) => {
    const release = await s.control.get(params.id);
    const sources = await reportSources(release, { registry: s.workspaces.dev.models, table: s.monitors.table });
    const report = releaseReport(release, await s.releases.auditLog(release.id), sources);
    if (query.format === 'md') return { headers: { 'content-type': 'text/markdown; charset=utf-8' }, body: reportMarkdown(report) };
    return { jsonBody: { report } };
  },
);

/** The training job's log (its tail), as text. */
apiRoute(
  'getReleaseLog',
  {
    route: 'releases/{id}/log',
    method: 'GET',
    action: 'read',
    params: ReleaseIdParams,
    query: LogQuery,
    errors: [409],
    summary: "The tail of the release's training job log, as text.",
    responses: { 200: { description: "The log's last `maxBytes` bytes", text: 'text/plain' } },
  },
  async (_request, s, _caller, { params, query }) => {
    const release = await s.control.get(params.id);
    if (!release.job) throw new NotFoundError('training job of release', release.id, 'The release has not reached the train stage');
    const log = await s.workspaces.dev.jobs.jobLog(release.job.name, query.maxBytes);
    return { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: log };
  },
);

/** Starts a release by hand; `Idempotency-Key` makes a retried request return the same release. */
apiRoute(
  'startRelease',
  {
    route: 'releases',
    method: 'POST',
    action: 'release:start',
    environment: 'dev',
    body: StartBody,
    headers: IdempotencyHeaders,
    summary: "Starts a release by hand, on the pipeline's newest data or a named blob.",
    responses: {
      202: { description: 'A release was created', json: ReleaseResponse },
      200: { description: 'The release this Idempotency-Key already created', json: ReleaseResponse },
    },
  },
  async (_request, s, caller, { body, headers }) => {
    const requestId = headers['idempotency-key'] ?? randomUUID();
    const result = await s.releaseStarts.startManual({ ...body, by: caller!.name, requestId });
    if (result.kind === 'ignored') throw new BadRequestError(result.reason);
    return { status: result.kind === 'created' ? (202 as const) : (200 as const), jsonBody: { release: result.release } };
  },
);
