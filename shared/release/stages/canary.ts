import { endpointName } from '../../config/schema';
import type { DeploymentTraffic } from '../../ports';
import { createCanaryAnalysis, decideCanary, updateCanaryAnalysis, type CanaryAnalysisState } from '../../rollout';
import { restoreStable, type RestoreStableDeps } from '../releaseControl';
import { appendLook, canaryLook } from '../canaryLooks';
import { ReleaseRepository } from '../repository';
import type { StageBasics, StageHandlerOf, StageOutcome, StageWith } from '../context';
import type { Release } from '../types';
import { deployCandidate, deploymentFailed, discardCandidate, type DeployRoles } from './deploy';
import { holdoutRequest, rowRequest } from './holdout';
import { servingDeployment } from '../../endpoints/servingDeployment';
import { binPredictionCounts, predictionBinEdges, predictionBinLabels } from '../../rollout/predictionBins';
import { BaselineProfile } from '../../monitoring/stats/baselineProfile';

type CanaryState = NonNullable<Release['canary']>;

/** Deploying (every registry, endpoints); in prod warm-up requests, traffic facts and synthetic load. */
type CanaryRoles = Omit<DeployRoles, 'prod'> & { prod: DeployRoles['prod'] | 'scoring' | 'traffic' | 'load' };
type CanaryContext = StageWith<CanaryRoles>;
/** A look, a finish: prod's endpoints, traffic facts and load. */
type LookContext = StageWith<{ prod: 'endpoints' | 'traffic' | 'load' }>;

/** Stable needs this many requests in a window before its p50/p99 become the latency thresholds. */
const THRESHOLD_SAMPLE = 30;

const NO_TRAFFIC: DeploymentTraffic = { requests: 0, errors: 0, slowerThan: [], predictions: {}, synthetic: 0 };

/**
 * Prod: the candidate gets its own deployment beside the stable one and takes traffic in
 * the policy's steps. At every look an always-valid sequential test compares canary and
 * stable on errors, latency and predictions (docs/canary-analysis.md): a significant
 * regression rolls back at once; a step advances when it has baked and the evidence
 * suffices. Thin real traffic is topped up with replayed held-out rows, marked synthetic.
 */
export const canary: StageHandlerOf<CanaryRoles> = async (release, ctx) => {
  const state = release.canary;
  if (!state) return startCanary(release, ctx);
  if (state.promoteNow) return finish(release, ctx, state, `promoted by ${state.promoteNow.by}; remaining steps skipped`);
  return look(release, ctx, state);
};

async function startCanary(release: Release, ctx: CanaryContext): Promise<StageOutcome> {
  const prod = ctx.workspaces.prod;
  const { info, endpoint, model, before } = await deployCandidate('prod', release, ctx);
  if (info.state !== 'succeeded')
    return discardCandidate(prod.endpoints, endpoint, info.name, `${deploymentFailed(endpoint, info)}; prod traffic unchanged`);
  const deployments = { ...release.deployments, prod: { endpoint, deployment: info.name, model } };
  const stable = before && servingDeployment(before.traffic, info.name);
  if (!stable) {
    await prod.endpoints.setTraffic(endpoint, { [info.name]: 100 });
    return { kind: 'advance', detail: 'first model in prod: no stable deployment to compare with', patch: { deployments } };
  }
  if (ctx.pipeline.rollout.canarySteps[0] === 100) {
    // Policy `canarySteps: [100]`: blue/green without a canary; stable stays warm at 0%.
    await prod.endpoints.setTraffic(endpoint, { [info.name]: 100, [stable]: 0 });
    return {
      kind: 'advance',
      detail: `switched to 100% without a canary (canarySteps: [100]); ${stable} kept warm`,
      patch: { deployments, canary: { stepIndex: 0, stepStartedAt: ctx.clock.now().toISOString(), stable, looks: [] } },
    };
  }
  const steps = ctx.pipeline.rollout.canarySteps;
  // A fresh scoring process is slower for its first requests; those are not the model's latency.
  const warmup = await holdoutRequest(release, ctx, ctx.pipeline.rollout.analysis.warmupRequests);
  for (let i = 0; i < ctx.pipeline.rollout.analysis.warmupRequests; i++) {
    await prod.scoring.invokeEndpoint(endpoint, rowRequest(warmup, i), { deployment: info.name, synthetic: true });
  }
  await prod.endpoints.setTraffic(endpoint, trafficAt(steps[0]!, info.name, stable));
  const now = ctx.clock.now().toISOString();
  const predictionBins = ctx.pipeline.task === 'regression' ? await regressorBins(release, ctx) : undefined;
  const analysis: CanaryAnalysisState = createCanaryAnalysis({
    alpha: ctx.pipeline.rollout.analysis.alpha,
    power: ctx.pipeline.rollout.analysis.power,
    ...(predictionBins && { classes: predictionBinLabels(predictionBins) }),
  });
  return {
    kind: 'wait',
    delaySeconds: ctx.pipeline.rollout.analysis.intervalSeconds,
    detail: `${steps[0]}% of prod traffic; comparing with ${stable}`,
    patch: {
      deployments,
      canary: { stepIndex: 0, stepStartedAt: now, stable, since: now, analysis, looks: [], ...(predictionBins && { predictionBins }) },
    },
  };
}

async function look(release: Release, ctx: LookContext, state: CanaryState): Promise<StageOutcome> {
  const { rollout } = ctx.pipeline;
  const endpoint = endpointName(release.pipeline, 'prod');
  const candidate = release.deployments.prod!.deployment;
  const stable = state.stable!;
  const now = ctx.clock.now();
  // The interval's cursor: a look redriven from the same record analyses the same interval (one look per cursor).
  const since = state.since ?? state.stepStartedAt;
  const window = await ctx.workspaces.prod.traffic.trafficSince(endpoint, since, state.thresholdsMs ?? []);
  const binned = (arm: DeploymentTraffic): DeploymentTraffic =>
    state.predictionBins ? { ...arm, predictions: binPredictionCounts(arm.predictions, state.predictionBins) } : arm;
  const canaryArm = binned(window.byDeployment[candidate] ?? NO_TRAFFIC);
  const stableArm = binned(window.byDeployment[stable] ?? NO_TRAFFIC);
  let thresholdsMs = state.thresholdsMs;
  if (
    !thresholdsMs &&
    stableArm.requests >= THRESHOLD_SAMPLE &&
    stableArm.latencyP50Ms !== undefined &&
    stableArm.latencyP99Ms !== undefined
  ) {
    // The same thresholds for both arms keep the test exact; the tolerance keeps
    // sub-millisecond differences from counting as regressions.
    const tolerance = rollout.analysis.latencyToleranceMs;
    thresholdsMs = [stableArm.latencyP50Ms + tolerance, stableArm.latencyP99Ms + tolerance];
  }
  const analysis = updateCanaryAnalysis(state.analysis as CanaryAnalysisState, { canary: canaryArm, stable: stableArm });
  const decision = decideCanary(analysis);
  const percent = rollout.canarySteps[state.stepIndex]!;
  const looks = appendLook(state.looks, canaryLook(analysis, { at: now, stepIndex: state.stepIndex, weight: percent, since }, decision));
  const next: CanaryState = {
    ...state,
    since: window.until,
    thresholdsMs,
    analysis,
    verdict: decision.verdict,
    reasons: decision.reasons,
    looks,
  };

  if (decision.verdict === 'rollback') {
    await restoreStable(ctx, { ...release, canary: next });
    return rolledBack(`canary analysis at ${percent}%: ${decision.reasons.join('; ')}`, next, now);
  }
  const baked = (now.getTime() - Date.parse(state.stepStartedAt)) / 1000;
  const stepIndex = state.stepIndex + 1;
  const nextPercent = rollout.canarySteps[stepIndex]!;
  // The test is valid at any traffic split, so intermediate steps need only the absence
  // of a regression; full traffic needs positive evidence (verdict pass).
  const mayAdvance = decision.verdict === 'pass' || (decision.verdict === 'continue' && nextPercent < 100);
  if (mayAdvance && baked >= rollout.bakeSeconds) {
    if (nextPercent === 100)
      return finish(release, ctx, next, `analysis passed at every step (${decision.reasons.join('; ') || 'no regression found'})`);
    await ctx.workspaces.prod.endpoints.setTraffic(endpoint, trafficAt(nextPercent, candidate, stable));
    if (await endedMeanwhile(release, ctx)) return { kind: 'wait', delaySeconds: 0, detail: 'ended meanwhile' };
    return wait(ctx, { ...next, stepIndex, stepStartedAt: now.toISOString() }, `${nextPercent}% of prod traffic`);
  }
  if (baked >= rollout.maxStepSeconds) {
    await restoreStable(ctx, { ...release, canary: next });
    return rolledBack(
      `canary analysis at ${percent}%: not enough evidence after ${rollout.maxStepSeconds} s (${canaryArm.requests} canary requests in the last look); rolled back on the safe side`,
      next,
      now,
    );
  }
  await topUpLoad(release, ctx, window.since, window.until, canaryArm, stableArm, candidate, stable);
  return wait(ctx, next, `${percent}% of prod traffic; ${decision.verdict} (${decision.reasons[0] ?? 'gathering evidence'})`);
}

async function finish(release: Release, ctx: LookContext, state: CanaryState, detail: string): Promise<StageOutcome> {
  const target = release.deployments.prod!;
  await ctx.workspaces.prod.endpoints.setTraffic(
    target.endpoint,
    state.stable ? { [target.deployment]: 100, [state.stable]: 0 } : { [target.deployment]: 100 },
  );
  await ctx.workspaces.prod.load.stopLoad(release.id);
  if (await endedMeanwhile(release, ctx)) return { kind: 'wait', delaySeconds: 0, detail: 'ended meanwhile' };
  return { kind: 'advance', detail: `candidate at 100% of prod: ${detail}`, patch: { canary: state } };
}

function wait(ctx: StageBasics, state: CanaryState, detail: string): StageOutcome {
  return { kind: 'wait', delaySeconds: ctx.pipeline.rollout.analysis.intervalSeconds, detail, patch: { canary: state } };
}

function rolledBack(reason: string, state: CanaryState, now: Date): StageOutcome {
  return {
    kind: 'end',
    status: 'rolled_back',
    reason,
    patch: { canary: state, rollback: { at: now.toISOString(), by: 'autopilot', why: reason } },
  };
}

/**
 * A rollback (alert, person) may have ended the release while this look changed traffic;
 * its record write won, so give the traffic back to stable here too.
 */
async function endedMeanwhile(release: Release, ctx: StageBasics & RestoreStableDeps): Promise<boolean> {
  const latest = (await new ReleaseRepository(ctx.table).get(release.id))?.value;
  if (latest && latest.status !== 'running') {
    await restoreStable(ctx, latest);
    return true;
  }
  return false;
}

/**
 * When real traffic is thin, replay held-out rows, each request to canary or stable at
 * random and independently of its row, so both arms see the same rows in distribution.
 */
async function topUpLoad(
  release: Release,
  ctx: StageWith<{ prod: 'load' }>,
  since: string,
  until: string,
  canaryArm: DeploymentTraffic,
  stableArm: DeploymentTraffic,
  candidate: string,
  stable: string,
): Promise<void> {
  const { load, analysis } = ctx.pipeline.rollout;
  const seconds = Math.max((Date.parse(until) - Date.parse(since)) / 1000, analysis.intervalSeconds);
  const realRate = (canaryArm.requests - canaryArm.synthetic + stableArm.requests - stableArm.synthetic) / seconds;
  if (realRate >= load.belowRequestsPerSecond) {
    await ctx.workspaces.prod.load.stopLoad(release.id);
    return;
  }
  await ctx.workspaces.prod.load.ensureLoad({
    id: release.id,
    endpoint: release.deployments.prod!.endpoint,
    deployments: [candidate, stable],
    request: await holdoutRequest(release, ctx, 200),
    requestsPerSecond: load.requestsPerSecond,
    until: new Date(ctx.clock.now().getTime() + 3 * analysis.intervalSeconds * 1000).toISOString(),
  });
}

function trafficAt(percent: number, candidate: string, stable: string): Record<string, number> {
  return { [candidate]: percent, [stable]: 100 - percent };
}

/**
 * Where a regressor's predictions are cut into the canary's bins: the quantiles of the
 * candidate's predictions on the holdout (its baseline profile, written by evaluate). Without a
 * profile (a release from before regression support), no bins: errors and latency are judged.
 */
async function regressorBins(release: Release, ctx: StageBasics): Promise<number[] | undefined> {
  const blob = release.data?.profileBlob;
  if (!blob) return undefined;
  const { content } = await ctx.data.read({ container: ctx.settings.artifactsContainer, name: blob });
  const prediction = BaselineProfile.parse(JSON.parse(content.toString('utf8'))).prediction;
  return prediction?.type === 'numeric' ? predictionBinEdges(prediction.quantiles) : undefined;
}
