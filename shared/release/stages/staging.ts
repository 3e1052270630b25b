import { addToMoments, emptyMoments, standardDeviation } from '../../monitoring/stats/runningMoments';
import { predictionAsNumber } from '../../evaluation/regressionAnswers';
import { readScoringAnswer } from '../../scoring/scoringAnswer';
import { endpointName } from '../../config/schema';
import { ensureError, NotSupportedError } from '../../errors';
import type { InvokeResult } from '../../ports';
import type { StageBasics, StageHandlerOf, StageOutcome, StageWith } from '../context';
import type { Release } from '../types';
import { deployCandidate, deploymentFailed, discardCandidate, takeOver, type DeployRoles } from './deploy';
import { holdoutRequest, readHoldout, rowRequest } from './holdout';

const SHADOW_LOOK_SECONDS = 2;

/** Deploying (every registry, endpoints), smoke requests in staging; prod's shadow and the load that feeds it. */
type StagingRoles = Pick<DeployRoles, 'dev'> & {
  staging: DeployRoles['staging'] | 'scoring';
  prod: DeployRoles['prod'] | 'shadow' | 'load';
};
type StagingContext = StageWith<StagingRoles>;

/**
 * Staging: deploy the candidate beside the current staging model, send it smoke requests
 * built from held-out rows, then mirror a share of prod's live requests to it and compare
 * its answers with prod's before anything reaches prod.
 */
export const deployStaging: StageHandlerOf<StagingRoles> = async (release, ctx) => {
  if (!release.staging) return deployAndSmoke(release, ctx);
  return watchShadow(release, ctx);
};

async function deployAndSmoke(release: Release, ctx: StagingContext): Promise<StageOutcome> {
  const policy = ctx.pipeline.rollout.staging;
  const staging = ctx.workspaces.staging;
  const { info, endpoint, model } = await deployCandidate('staging', release, ctx);
  // The previous staging deployment still has the traffic: only the candidate goes.
  const fail = (reason: string) => discardCandidate(staging.endpoints, endpoint, info.name, reason);
  if (info.state !== 'succeeded') return fail(deploymentFailed(endpoint, info));

  const results: InvokeResult[] = [];
  if (policy.smokeRequests > 0) {
    const request = await holdoutRequest(release, ctx, policy.smokeRequests);
    for (let i = 0; i < Math.min(policy.smokeRequests, request.input_data.data.length); i++) {
      results.push(await staging.scoring.invokeEndpoint(endpoint, rowRequest(request, i), { deployment: info.name, synthetic: true }));
    }
  }
  const problem = (r: InvokeResult) => smokeProblem(r, ctx.pipeline.task);
  const bad = results.filter((r) => problem(r) !== undefined);
  if (results.length && bad.length / results.length > policy.maxErrorRate) {
    return fail(`staging smoke test: ${bad.length} of ${results.length} requests failed (first: ${problem(bad[0]!)})`);
  }
  const slowest = Math.max(0, ...results.map((r) => r.latencyMs));
  if (slowest > policy.latencyBudgetMs) {
    return fail(`staging smoke test: slowest request took ${Math.round(slowest)} ms > budget ${policy.latencyBudgetMs} ms`);
  }
  await takeOver(staging.endpoints, endpoint, info.name);

  const patch = {
    deployments: { ...release.deployments, staging: { endpoint, deployment: info.name, model } },
    staging: { deployment: info.name, smoke: { requests: results.length, errors: bad.length, maxLatencyMs: Math.round(slowest) } },
  };
  const smokeDetail = `smoke ${results.length - bad.length}/${results.length} ok, slowest ${Math.round(slowest)} ms`;
  const prodName = endpointName(release.pipeline, 'prod');
  const prod = await ctx.workspaces.prod.endpoints.getEndpoint(prodName);
  if (policy.shadowPercent === 0 || !prod || !Object.values(prod.traffic).some((t) => t > 0)) {
    const why = policy.shadowPercent === 0 ? 'shadow disabled' : 'no prod traffic to mirror yet';
    return { kind: 'advance', detail: `${smokeDetail}; ${why}`, patch };
  }
  try {
    const options = ctx.pipeline.task === 'regression' ? { tolerance: await agreementTolerance(release, ctx) } : {};
    await ctx.workspaces.prod.shadow.setShadow(prodName, { endpoint, deployment: info.name }, policy.shadowPercent, options);
  } catch (error) {
    // Azure ML cannot mirror one workspace's endpoint to another's: the prod canary judges instead.
    if (error instanceof NotSupportedError) return { kind: 'advance', detail: `${smokeDetail}; shadow skipped (${error.why})`, patch };
    throw error;
  }
  return {
    kind: 'wait',
    delaySeconds: SHADOW_LOOK_SECONDS,
    detail: `${smokeDetail}; mirroring ${policy.shadowPercent}% of ${prodName}`,
    patch: { ...patch, staging: { ...patch.staging, shadowStartedAt: ctx.clock.now().toISOString() } },
  };
}

async function watchShadow(release: Release, ctx: StageWith<{ prod: 'shadow' | 'load' }>): Promise<StageOutcome> {
  const policy = ctx.pipeline.rollout.staging;
  const staging = release.staging!;
  if (!staging.shadowStartedAt) return { kind: 'advance', detail: 'staging tests done' };
  const prodName = endpointName(release.pipeline, 'prod');
  const prod = ctx.workspaces.prod;
  const report = await prod.shadow.shadowReport(prodName);
  const now = ctx.clock.now();
  const elapsed = (now.getTime() - Date.parse(staging.shadowStartedAt)) / 1000;
  const loadId = `${release.id}-shadow`;
  const done = async () => {
    await prod.shadow.setShadow(prodName, { endpoint: endpointName(release.pipeline, 'staging'), deployment: staging.deployment }, 0);
    await prod.load.stopLoad(loadId);
  };
  if (report.compared >= policy.shadowRequests) {
    await done();
    const agreement = report.agreed / report.compared;
    const errorRate = report.mirrored ? report.shadowErrors / report.mirrored : 0;
    const shadow = { ...report };
    const within = ctx.pipeline.task === 'regression' ? ` (within ${policy.agreementTolerance} sd of the target)` : '';
    const summary = `shadow: ${(agreement * 100).toFixed(0)}% agreement with prod${within} on ${report.compared} mirrored requests, ${report.shadowErrors} errors`;
    if (errorRate > policy.maxErrorRate) {
      return {
        kind: 'end',
        status: 'failed',
        reason: `staging ${summary} (error rate ${(errorRate * 100).toFixed(1)}% > ${(policy.maxErrorRate * 100).toFixed(1)}%)`,
        patch: { staging: { ...staging, shadow } },
      };
    }
    if (agreement < policy.minAgreement) {
      return {
        kind: 'end',
        status: 'failed',
        reason: `staging ${summary} (< ${(policy.minAgreement * 100).toFixed(0)}% required)`,
        patch: { staging: { ...staging, shadow } },
      };
    }
    return { kind: 'advance', detail: summary, patch: { staging: { ...staging, shadow } } };
  }
  if (elapsed >= policy.shadowMaxSeconds) {
    await done();
    const note = `shadow: only ${report.compared} of ${policy.shadowRequests} mirrored requests compared in ${policy.shadowMaxSeconds} s; judged on smoke tests`;
    return { kind: 'advance', detail: note, patch: { staging: { ...staging, shadow: { ...report, note } } } };
  }
  // Thin prod traffic: replay held-out rows through prod (unlabelled, so they are mirrored).
  const request = await holdoutRequest(release, ctx, 200);
  await prod.load.ensureLoad({
    id: loadId,
    endpoint: prodName,
    deployments: [],
    request,
    requestsPerSecond: ctx.pipeline.rollout.load.requestsPerSecond,
    until: new Date(now.getTime() + (SHADOW_LOOK_SECONDS + 10) * 1000).toISOString(),
  });
  return {
    kind: 'wait',
    delaySeconds: SHADOW_LOOK_SECONDS,
    detail: `shadow: ${report.compared} of ${policy.shadowRequests} mirrored requests compared`,
  };
}

/**
 * How far apart a regressor's and prod's predictions may be and still agree: the policy's share
 * of the held-out target's standard deviation (two equally good regressors never answer the
 * very same number, but differ by little against the target's own spread).
 */
async function agreementTolerance(release: Release, ctx: StageBasics): Promise<number> {
  const holdout = await readHoldout(release, ctx);
  const moments = emptyMoments();
  for (const row of holdout.rows) addToMoments(moments, Number(row[holdout.labelIndex]));
  return ctx.pipeline.rollout.staging.agreementTolerance * standardDeviation(moments);
}

function smokeProblem(result: InvokeResult, task: 'classification' | 'regression'): string | undefined {
  if (result.status !== 200) return `status ${result.status}: ${JSON.stringify(result.body).slice(0, 200)}`;
  let predictions: unknown[];
  try {
    predictions = readScoringAnswer(result.body).predictions;
  } catch (error) {
    return `${ensureError(error).message}: ${JSON.stringify(result.body).slice(0, 200)}`;
  }
  if (predictions.length !== 1) return `${predictions.length} predictions for one row: ${JSON.stringify(result.body).slice(0, 200)}`;
  if (task === 'regression' && !Number.isFinite(predictionAsNumber(predictions[0]))) {
    return `the prediction ${JSON.stringify(predictions[0]) ?? String(predictions[0])} is not a finite number (a regressor answers one number per row)`;
  }
  return undefined;
}
