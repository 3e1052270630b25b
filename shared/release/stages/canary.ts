import { endpointName } from '../../config/schema';
import type { EndpointInfo } from '../../ports';
import type { StageHandler } from '../context';
import { deployCandidate } from './deploy';

/**
 * Prod: the candidate gets its own deployment beside the stable one and takes traffic
 * in the policy's steps, baking at each. (Statistical analysis of each step is the
 * safe-rollout work; here a step advances when its bake time is over.)
 */
export const canary: StageHandler = async (release, ctx) => {
  const workspace = ctx.workspaces.prod;
  const steps = ctx.pipeline.rollout.canarySteps;
  const bake = ctx.pipeline.rollout.bakeSeconds;
  const now = ctx.clock.now();
  let state = release.canary;
  let patch = {};
  if (!state) {
    const { info, endpoint, model } = await deployCandidate('prod', release, ctx);
    if (info.state !== 'succeeded') {
      await workspace.deleteDeployment(endpoint, info.name).catch(() => undefined);
      return { kind: 'end', status: 'failed', reason: `deployment ${endpoint}/${info.name} failed: ${info.error ?? 'unknown error'}; prod traffic unchanged` };
    }
    const current = await workspace.getEndpoint(endpoint);
    const stable = current && stableDeployment(current, info.name);
    // Without a stable deployment there is nothing to compare with: go straight to 100.
    const stepIndex = stable ? 0 : steps.length - 1;
    await workspace.setTraffic(endpoint, trafficAt(steps[stepIndex]!, info.name, stable));
    state = { stepIndex, stepStartedAt: now.toISOString(), stable };
    patch = { canary: state, deployments: { ...release.deployments, prod: { endpoint, deployment: info.name, model } } };
  } else {
    const baked = (now.getTime() - Date.parse(state.stepStartedAt)) / 1000;
    if (baked < bake) {
      return { kind: 'wait', delaySeconds: Math.min(bake - baked, 5), detail: `${steps[state.stepIndex]}% for ${Math.floor(baked)} of ${bake} s` };
    }
    const deployment = release.deployments.prod!.deployment;
    const stepIndex = state.stepIndex + 1;
    await workspace.setTraffic(endpointName(release.pipeline, 'prod'), trafficAt(steps[stepIndex]!, deployment, state.stable));
    state = { ...state, stepIndex, stepStartedAt: now.toISOString() };
    patch = { canary: state };
  }
  const percent = steps[state.stepIndex]!;
  if (percent === 100) return { kind: 'advance', detail: `candidate at 100% of prod`, patch };
  return { kind: 'wait', delaySeconds: Math.min(bake, 5), detail: `${percent}% of prod traffic`, patch };
};

export function stableDeployment(endpoint: EndpointInfo, candidate: string): string | undefined {
  const [top] = Object.entries(endpoint.traffic)
    .filter(([name, share]) => name !== candidate && share > 0)
    .sort((a, b) => b[1] - a[1]);
  return top?.[0];
}

function trafficAt(percent: number, candidate: string, stable: string | undefined): Record<string, number> {
  return stable && percent < 100 ? { [candidate]: percent, [stable]: 100 - percent } : stable ? { [candidate]: 100, [stable]: 0 } : { [candidate]: 100 };
}
