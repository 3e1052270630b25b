import { trainingPortsOf } from '../../jobs/trainingPorts';
import { endpointName } from '../../config/schema';
import { ensureError, StillProvisioningError } from '../../errors';
import { toScoreRequest } from '../../data/split';
import { checkMetrics } from '../../evaluation/metrics';
import { metricsFromAnswers, type AnswerMetrics } from '../../evaluation/answerMetrics';
import { regressionMetricsFromAnswers } from '../../evaluation/regressionAnswers';
import { decideGate } from '../../evaluation/gate';
import type { BatchScoring, ModelRef, ModelSource, ScoreResponse } from '../../ports';
import type { StageBasics, StageHandlerOf, StageWith } from '../context';
import { readHoldout } from './holdout';
import { comparableRows, withComparedRows } from './comparableRows';
import { profileForModel } from '../../monitoring/baseline';
import { servingDeployment } from '../../endpoints/servingDeployment';

/**
 * Scores the candidate and the prod champion on the same held-out rows and applies the
 * gate. The verdict is recorded; `register` acts on it (a rejected candidate is still
 * registered, for the record).
 */
export const evaluate: StageHandlerOf<{ dev: 'batch'; prod: 'batch' | 'endpoints' | 'models' }> = async (release, ctx) => {
  if (!release.data?.holdoutBlob || !release.job)
    return { kind: 'end', status: 'failed', reason: 'no holdout split or training job to evaluate' };
  const holdout = await readHoldout(release, ctx);
  const champion = await currentProdModel(ctx, release.pipeline);
  // Both models are scored only on held-out rows the champion was not trained on (docs/holdout.md).
  const comparison = await comparableRows(ctx, holdout, champion);
  const { columns, labelIndex } = holdout;
  const rows = comparison.rows;
  const truth = rows.map((r) => r[labelIndex]!);

  const ports = trainingPortsOf(ctx.pipeline);
  const candidateSource: ModelSource = { job: release.job.name, output: ports.modelOutput, format: ports.modelFormat };
  // A regressor's targets as numbers, read once for its metrics and its paired test.
  const targets = ctx.pipeline.task === 'regression' ? truth.map(Number) : undefined;
  const readAnswers = answerReader(truth, targets);
  let scored: ModelAnswers;
  let provisioning = false;
  try {
    scored = readAnswers(await scoreRows(ctx.workspaces.dev.batch, candidateSource, ctx, columns, rows, labelIndex));
  } catch (error) {
    // Still being provisioned (Azure: minutes): the next step scores it. Freeing it would delete it and start over.
    provisioning = error instanceof StillProvisioningError;
    throw error;
  } finally {
    // Also when cancelled or failed: the scoring server must not outlive the evaluation.
    if (!provisioning) await ctx.workspaces.dev.batch.finishedScoring?.(candidateSource);
  }
  // The candidate's baseline for drift monitoring: the rows it was trained on, and its predictions on these.
  const request = toScoreRequest(columns, rows, labelIndex);
  const training = release.data.trainBlob
    ? { data: ctx.data, blob: { container: ctx.settings.artifactsContainer, name: release.data.trainBlob } }
    : undefined;
  const profile = await profileForModel(
    request.input_data.columns,
    request.input_data.data,
    scored.predictions,
    training,
    ctx.pipeline.task,
  );
  const profileBlob = `releases/${release.id}/profile.json`;
  await ctx.data.write({ container: ctx.settings.artifactsContainer, name: profileBlob }, JSON.stringify(profile), {
    contentType: 'application/json',
  });

  let championMetrics: ModelAnswers | undefined;
  let championNote = '';
  if (champion) {
    try {
      championMetrics = readAnswers(await scoreRows(ctx.workspaces.prod.batch, champion, ctx, columns, rows, labelIndex));
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      // A champion that cannot score any more must not block its own replacement.
      championNote = `; champion ${champion.name}:${champion.version} could not be scored (${ensureError(error).message})`;
    } finally {
      await ctx.workspaces.prod.batch.finishedScoring?.(champion);
    }
  }
  // Only finite metrics reach the record (NaN is stored as null, which no longer parses).
  const gateMetric = [ctx.pipeline.evaluation.metric];
  const checked = checkMetrics(scored.metrics, truth, gateMetric, scored.withoutProbabilities);
  const checkedChampion = championMetrics && checkMetrics(championMetrics.metrics, truth, gateMetric, championMetrics.withoutProbabilities);
  // The paired tests need each model's answer per row; the rows are the ones scored above.
  const paired = championMetrics?.rows && scored.rows && { truth, candidate: scored.rows, champion: championMetrics.rows };
  const regressionRows = targets &&
    championMetrics?.values &&
    scored.values && { truth: targets, candidate: scored.values, champion: championMetrics.values };
  const gate = withComparedRows(
    await decideGate(ctx.pipeline.evaluation, checked.values, checkedChampion?.values, {
      missing: checked.missing,
      championMissing: checkedChampion?.missing,
      rows: paired,
      regressionRows,
    }),
    comparison,
  );
  return {
    kind: 'advance',
    detail: `${gate.passed ? 'passed' : 'rejected'}: ${gate.reason}${championNote}`,
    patch: {
      metrics: { ...release.metrics, candidate: checked.values, champion: checkedChampion?.values },
      data: { ...release.data!, profileBlob, compared: comparison.compared },
      champion: championMetrics ? champion : undefined,
      gate: { ...gate, candidate: Number.isFinite(gate.candidate) ? gate.candidate : null, reason: gate.reason + championNote },
    },
  };
};

async function scoreRows(
  batch: BatchScoring,
  source: ModelSource,
  ctx: StageBasics,
  columns: string[],
  rows: string[][],
  labelIndex: number,
): Promise<ScoreResponse[]> {
  const responses: ScoreResponse[] = [];
  // Batches keep one request a few MB even for wide data; the workspace keeps one scoring
  // server for all of them (freed by finishedScoring). A cancelled release stops here.
  const batchRows = ctx.settings.scoreBatchRows;
  for (let start = 0; start < rows.length; start += batchRows) {
    ctx.signal.throwIfAborted();
    const request = toScoreRequest(columns, rows.slice(start, start + batchRows), labelIndex);
    responses.push(await batch.scoreBatch(source, ctx.pipeline.deployment.spec, request, { signal: ctx.signal }));
  }
  return responses;
}

/** One model's answers on the compared rows, read for the pipeline's task. */
type ModelAnswers = Pick<AnswerMetrics, 'metrics' | 'withoutProbabilities'> & {
  predictions: unknown[];
  /** A classifier's answers per row, for the paired tests. */
  rows?: AnswerMetrics['rows'];
  /** A regressor's predictions per row. */
  values?: number[];
};

/**
 * Reads answers as classes and probabilities, or, given a regressor's numeric `targets`, as one
 * number per row (NonNumericPredictionError otherwise).
 */
function answerReader(truth: string[], targets: number[] | undefined): (answers: ScoreResponse[]) => ModelAnswers {
  if (!targets) return (answers) => metricsFromAnswers(truth, answers);
  return (answers) => {
    const read = regressionMetricsFromAnswers(targets, answers);
    return { metrics: read.metrics, predictions: read.predictions, values: read.predictions };
  };
}

/** The model serving most of the prod endpoint's traffic, if any. */
export async function currentProdModel(ctx: StageWith<{ prod: 'endpoints' }>, pipeline: string): Promise<ModelRef | undefined> {
  const endpoint = await ctx.workspaces.prod.endpoints.getEndpoint(endpointName(pipeline, 'prod'));
  const deployment = endpoint && servingDeployment(endpoint.traffic);
  return deployment ? endpoint.deployments.find((d) => d.name === deployment)?.model : undefined;
}
