import type { StageHandlerOf } from '../context';

/**
 * The candidate serves all prod traffic; the newest `retainPrevious` older deployments
 * stay warm at 0% so a rollback is one traffic change, the rest are deleted.
 */
export const promote: StageHandlerOf<{ prod: 'endpoints' }> = async (release, ctx) => {
  const target = release.deployments.prod;
  if (!target) return { kind: 'end', status: 'failed', reason: 'no prod deployment to promote' };
  const endpoints = ctx.workspaces.prod.endpoints;
  const endpoint = await endpoints.getEndpoint(target.endpoint);
  if (!endpoint) return { kind: 'end', status: 'failed', reason: `endpoint ${target.endpoint} disappeared` };
  const older = endpoint.deployments.filter((d) => d.name !== target.deployment).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const keep = older.slice(0, ctx.pipeline.rollout.retainPrevious);
  const traffic = Object.fromEntries([[target.deployment, 100], ...keep.map((d) => [d.name, 0])]);
  await endpoints.setTraffic(target.endpoint, traffic);
  for (const stale of older.slice(keep.length)) await endpoints.deleteDeployment(target.endpoint, stale.name);
  const warm = keep.length ? `; kept ${keep.map((d) => d.name).join(', ')} warm for rollback` : '';
  return {
    kind: 'advance',
    detail: `${target.deployment} (${target.model.name}:${target.model.version}) serves 100% of ${target.endpoint}${warm}`,
  };
};
