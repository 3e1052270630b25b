import { endpointName, type EnvironmentName } from '../../config/schema';
import { NotFoundError, StillProvisioningError } from '../../errors';
import type { DeploymentInfo, EndpointInfo, ModelRef, OnlineEndpoints } from '../../ports';
import type { StageHandlerOf, StageOutcome, StageWith } from '../context';
import type { Release } from '../types';

/** What deploying a candidate uses: every environment's registry (promotion imports) and endpoints. */
export type DeployContext = StageWith<DeployRoles>;
/** Every environment's registry and endpoints: placeModel reads where the model comes from. */
export type DeployRoles = { dev: 'models' | 'endpoints'; staging: 'models' | 'endpoints'; prod: 'models' | 'endpoints' };

const PROMOTED_FROM: Partial<Record<EnvironmentName, EnvironmentName>> = { staging: 'dev', prod: 'staging' };

/** Azure ML deployment names need 3-32 characters starting with a letter. */
export function deploymentName(release: Release): string {
  return `v${String(release.model?.version ?? 0).padStart(3, '0')}`;
}

/** The candidate's version in `environment`'s registry, copied from the previous environment if needed. */
export async function placeModel(environment: EnvironmentName, release: Release, ctx: DeployContext): Promise<ModelRef> {
  if (!release.model) throw new NotFoundError('model', release.id, 'the release registered no model');
  const from = PROMOTED_FROM[environment];
  if (!from) return release.model;
  const sourceRef = release.deployments[from]?.model ?? release.model;
  const source = await ctx.workspaces[from].models.getModel(sourceRef);
  if (!source) throw new NotFoundError('model', `${sourceRef.name}:${sourceRef.version} in ${from}`);
  const imported = await ctx.workspaces[environment].models.importModel(source, from);
  return { name: imported.name, version: imported.version };
}

/**
 * Deploys the candidate to `environment` (its version there, imported if needed). A
 * deployment of this release that is still provisioning from an earlier step is waited for
 * (StillProvisioningError), and one already serving the model is reused, so a re-run of the
 * step after a crash or a lost lease does not restart it. `before` is the endpoint as read
 * first (deploying a candidate does not change its traffic).
 */
export async function deployCandidate(
  environment: EnvironmentName,
  release: Release,
  ctx: DeployContext,
): Promise<{ info: DeploymentInfo; endpoint: string; model: ModelRef; before?: EndpointInfo }> {
  const model = await placeModel(environment, release, ctx);
  const endpoint = endpointName(release.pipeline, environment);
  const name = deploymentName(release);
  const endpoints = ctx.workspaces[environment].endpoints;
  const before = await endpoints.getEndpoint(endpoint);
  const current = before?.deployments.find((d) => d.name === name);
  const reusable = current && current.state !== 'failed' && current.model.name === model.name && current.model.version === model.version;
  const info = reusable
    ? current
    : await endpoints.deploy({
        endpoint,
        deployment: name,
        model,
        specPath: ctx.pipeline.deployment.spec,
        tags: { 'autopilot.release': release.id },
      });
  if (info.state === 'creating') throw new StillProvisioningError(`deployment ${endpoint}/${name}`);
  return { info, endpoint, model, before };
}

/** Why a release ends when its candidate's deployment failed. */
export function deploymentFailed(endpoint: string, info: DeploymentInfo): string {
  return `deployment ${endpoint}/${info.name} failed: ${info.error ?? 'unknown error'}`;
}

/** Ends the release as failed and removes the candidate: whatever served the endpoint keeps its traffic. */
export async function discardCandidate(
  endpoints: OnlineEndpoints,
  endpoint: string,
  deployment: string,
  reason: string,
): Promise<StageOutcome> {
  await endpoints.deleteDeployment(endpoint, deployment).catch(() => undefined);
  return { kind: 'end', status: 'failed', reason };
}

/** The candidate takes all of the endpoint's traffic; the deployments it replaces are removed. */
export async function takeOver(endpoints: OnlineEndpoints, endpoint: string, deployment: string): Promise<void> {
  const state = await endpoints.setTraffic(endpoint, { [deployment]: 100 });
  for (const other of state.deployments.filter((d) => d.name !== deployment)) await endpoints.deleteDeployment(endpoint, other.name);
}

/** dev: the candidate replaces whatever served there. */
export const deployDev: StageHandlerOf<DeployRoles> = async (release, ctx): Promise<StageOutcome> => {
  const environment = 'dev';
  const { info, endpoint, model } = await deployCandidate(environment, release, ctx);
  const endpoints = ctx.workspaces[environment].endpoints;
  if (info.state !== 'succeeded') return discardCandidate(endpoints, endpoint, info.name, deploymentFailed(endpoint, info));
  await takeOver(endpoints, endpoint, info.name);
  return {
    kind: 'advance',
    detail: `${model.name}:${model.version} serves ${endpoint} as ${info.name}`,
    patch: { deployments: { ...release.deployments, [environment]: { endpoint, deployment: info.name, model } } },
  };
};
