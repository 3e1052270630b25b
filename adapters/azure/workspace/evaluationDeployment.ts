import { createHash } from 'node:crypto';
import type { DeploymentInfo, JobOutputSource, ModelRegistry, OnlineEndpoints } from '../../../shared/ports';

/** Model container that holds the evaluation copies of job outputs (never deployed beyond evaluation). */
export const EVALUATION_MODEL = 'autopilot-evaluation';

export interface EvaluationTarget {
  endpoint: string;
  deployment: string;
}

/**
 * Where a training job's output is scored on Azure, which has no endpoint-less scoring:
 * one endpoint per workspace, one deployment per job, with no live traffic. Names follow
 * Azure ML's rules (endpoint names are unique per region, hence the workspace hash).
 */
export function evaluationTarget(workspaceId: string, job: string): EvaluationTarget {
  const hash = (text: string) => createHash('sha256').update(text.toLowerCase()).digest('hex').slice(0, 10);
  return { endpoint: `autopilot-eval-${hash(workspaceId).slice(0, 8)}`, deployment: `e${hash(job)}` };
}

/**
 * Deploys `job`'s output for scoring, unless it is already deployed or being deployed. Evaluation deployments
 * of other jobs older than `staleAfterMs` are removed first: a release whose evaluation
 * crashed before cleaning up must not leave an instance running for ever.
 */
export async function ensureEvaluationDeployment(
  workspace: { endpoints: OnlineEndpoints; models: Pick<ModelRegistry, 'registerModel'> },
  target: EvaluationTarget,
  source: JobOutputSource,
  specPath: string,
  options: { now: Date; staleAfterMs?: number },
): Promise<DeploymentInfo> {
  const endpoint = await workspace.endpoints.getEndpoint(target.endpoint);
  const existing = endpoint?.deployments.find((d) => d.name === target.deployment);
  // One still being created (by an earlier step) is waited for, not created again.
  if (existing && existing.state !== 'failed') return existing;
  const staleBefore = options.now.getTime() - (options.staleAfterMs ?? 3_600_000);
  for (const other of endpoint?.deployments ?? []) {
    if (other.name !== target.deployment && Date.parse(other.createdAt) < staleBefore)
      await workspace.endpoints.deleteDeployment(target.endpoint, other.name);
  }
  const model = await workspace.models.registerModel({
    name: EVALUATION_MODEL,
    source,
    idempotencyKey: `evaluation:${source.job}:${source.output}`,
    tags: { 'autopilot.purpose': 'evaluation', 'autopilot.job': source.job },
    lineage: { jobName: source.job },
    description: `Output '${source.output}' of job ${source.job}, registered to score it before the gate`,
  });
  return workspace.endpoints.deploy({
    endpoint: target.endpoint,
    deployment: target.deployment,
    model: { name: model.name, version: model.version },
    specPath,
    tags: { 'autopilot.purpose': 'evaluation', 'autopilot.job': source.job },
  });
}
