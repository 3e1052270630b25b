import { z } from 'zod';
import { NotFoundError } from '../../shared/errors';
import { authorize } from '../../shared/auth/rbac';
import { environmentAtStage } from '../../shared/auth/stageEnvironment';
import { PipelineParams, ReleaseIdParams } from '../../shared/api/pathParams';
import { PipelineRollbackResponse, ReleaseResponse } from '../../shared/api/releaseResponses';
import { apiRoute, callerOf } from './respond';

const ReasonBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });

const released = { 200: { description: 'The release after the action', json: ReleaseResponse } } as const;

apiRoute(
  'approveRelease',
  {
    route: 'releases/{id}/approve',
    method: 'POST',
    action: 'release:approve',
    environment: 'prod',
    params: ReleaseIdParams,
    body: ReasonBody,
    errors: [409],
    summary: 'Approves a release waiting at the approval gate, so its canary starts.',
    responses: released,
  },
  async (_request, s, caller, { params, body: { reason } }) => {
    const release = await s.control.approve(params.id, caller!.name, reason);
    return { jsonBody: { release } };
  },
);

apiRoute(
  'promoteRelease',
  {
    route: 'releases/{id}/promote',
    method: 'POST',
    action: 'release:approve',
    environment: 'prod',
    params: ReleaseIdParams,
    body: ReasonBody,
    errors: [409],
    summary: 'Promotes a release in its canary now, skipping the remaining traffic steps.',
    responses: released,
  },
  async (_request, s, caller, { params, body: { reason } }) => {
    const release = await s.control.promote(params.id, caller!.name, reason);
    return { jsonBody: { release } };
  },
);

apiRoute(
  'rollbackRelease',
  {
    route: 'releases/{id}/rollback',
    method: 'POST',
    action: 'release:rollback',
    environment: 'prod',
    params: ReleaseIdParams,
    body: ReasonBody,
    errors: [409],
    summary: 'Rolls back a release in its canary: all traffic back to the stable deployment.',
    responses: released,
  },
  async (_request, s, caller, { params, body: { reason } }) => {
    const id = params.id;
    const release = await s.control.rollbackRelease(id, caller!.name, reason ?? 'manual rollback');
    if (!release)
      throw new NotFoundError(
        'canary of release',
        id,
        'Only a release in its canary stage can be rolled back; use POST /api/pipelines/{pipeline}/rollback for what is already promoted',
      );
    return { jsonBody: { release } };
  },
);

apiRoute(
  'rollbackPipeline',
  {
    route: 'pipelines/{pipeline}/rollback',
    method: 'POST',
    action: 'release:rollback',
    environment: 'prod',
    params: PipelineParams,
    body: ReasonBody,
    summary: "Rolls the pipeline's prod endpoint back to the previous deployment (what is already promoted).",
    responses: { 200: { description: 'Which deployment now serves', json: PipelineRollbackResponse } },
  },
  async (_request, s, caller, { params, body: { reason } }) => {
    const result = await s.control.rollbackPipeline(params.pipeline, caller!.name, reason ?? 'manual rollback');
    return { jsonBody: { rollback: result } };
  },
);

/** Cancelling needs the role of the environment the release is in (a canary touches prod). */
apiRoute(
  'cancelRelease',
  {
    route: 'releases/{id}/cancel',
    method: 'POST',
    action: 'read',
    params: ReleaseIdParams,
    body: ReasonBody,
    errors: [409],
    summary: 'Cancels a running release.',
    description:
      'Needs `release:cancel` in the environment the release is in (a canary or approval touches prod), checked after reading the release.',
    responses: released,
  },
  async (request, s, _caller, { params, body: { reason } }) => {
    const id = params.id;
    const current = await s.control.get(id);
    const caller = authorize(await callerOf(request, s), 'release:cancel', environmentAtStage(current.stage));
    const release = await s.control.cancel(id, caller.name, reason ?? 'cancelled by hand');
    return { jsonBody: { release } };
  },
);
