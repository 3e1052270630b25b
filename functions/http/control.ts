import { z } from 'zod';
import { NotFoundError } from '../../shared/errors';
import { authorize } from '../../shared/auth/rbac';
import { environmentAtStage } from '../../shared/auth/stageEnvironment';
import { apiRoute, callerOf, jsonBodyOf, parseOrThrow } from './respond';

const ReasonBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });

apiRoute('approveRelease', { route: 'releases/{id}/approve', method: 'POST', action: 'release:approve', environment: 'prod' }, async (request, s, caller) => {
  const { reason } = parseOrThrow(ReasonBody, await jsonBodyOf(request), 'body');
  const release = await s.control.approve(request.params.id ?? '', caller!.name, reason);
  return { jsonBody: { release } };
});

apiRoute('promoteRelease', { route: 'releases/{id}/promote', method: 'POST', action: 'release:approve', environment: 'prod' }, async (request, s, caller) => {
  const { reason } = parseOrThrow(ReasonBody, await jsonBodyOf(request), 'body');
  const release = await s.control.promote(request.params.id ?? '', caller!.name, reason);
  return { jsonBody: { release } };
});

apiRoute('rollbackRelease', { route: 'releases/{id}/rollback', method: 'POST', action: 'release:rollback', environment: 'prod' }, async (request, s, caller) => {
  const { reason } = parseOrThrow(ReasonBody, await jsonBodyOf(request), 'body');
  const id = request.params.id ?? '';
  const release = await s.control.rollbackRelease(id, caller!.name, reason ?? 'manual rollback');
  if (!release) throw new NotFoundError('canary of release', id, 'Only a release in its canary stage can be rolled back; use POST /api/pipelines/{pipeline}/rollback for what is already promoted');
  return { jsonBody: { release } };
});

apiRoute('rollbackPipeline', { route: 'pipelines/{pipeline}/rollback', method: 'POST', action: 'release:rollback', environment: 'prod' }, async (request, s, caller) => {
  const { reason } = parseOrThrow(ReasonBody, await jsonBodyOf(request), 'body');
  const result = await s.control.rollbackPipeline(request.params.pipeline ?? '', caller!.name, reason ?? 'manual rollback');
  return { jsonBody: { rollback: result } };
});

/** Cancelling needs the role of the environment the release is in (a canary touches prod). */
apiRoute('cancelRelease', { route: 'releases/{id}/cancel', method: 'POST', action: 'read' }, async (request, s) => {
  const { reason } = parseOrThrow(ReasonBody, await jsonBodyOf(request), 'body');
  const id = request.params.id ?? '';
  const current = await s.control.get(id);
  const caller = authorize(await callerOf(request, s), 'release:cancel', environmentAtStage(current.stage));
  const release = await s.control.cancel(id, caller.name, reason ?? 'cancelled by hand');
  return { jsonBody: { release } };
});
