import { readScoringAnswer } from '../../../shared/scoring/scoringAnswer';
import { AutopilotError, ensureError } from '../../../shared/errors';
import type { EndpointScoring, ModelRef, OnlineEndpoints, ScoreRequest, ScoreResponse } from '../../../shared/ports';

/** Scoring a registered model that no online deployment serves: Azure needs a batch endpoint for that. */
export class BatchEndpointRequiredError extends AutopilotError {
  constructor(readonly model: string) {
    super(
      `cannot score ${model} on the azure backend: no online deployment serves it, and batch scoring of an ` +
        'undeployed model needs an Azure ML batch endpoint, which is not supported yet. Deploy the model first, or run this stage on the local backend',
    );
  }
}

/** A deployment that can score a model, and how errors name the model. */
export interface ScoringTarget {
  endpoint: string;
  deployment: string;
  label: string;
}

/**
 * The online deployment that serves a registered model (scored through
 * `azureml-model-deployment`, so the live split does not matter).
 */
export async function servingDeployment(endpoints: Pick<OnlineEndpoints, 'listEndpoints'>, source: ModelRef): Promise<ScoringTarget> {
  const label = `model ${source.name}:${source.version}`;
  const serving = (await endpoints.listEndpoints())
    .flatMap((e) => e.deployments.map((d) => ({ endpoint: e.name, deployment: d })))
    .find(({ deployment: d }) => d.state === 'succeeded' && d.model.name === source.name && d.model.version === source.version);
  if (!serving) throw new BatchEndpointRequiredError(label);
  return { endpoint: serving.endpoint, deployment: serving.deployment.name, label };
}

/** One scoring call to a named deployment; a non-200 or a body without predictions is an error naming both. */
export async function scoreDeployment(
  scoring: EndpointScoring,
  endpoint: string,
  deployment: string,
  label: string,
  request: ScoreRequest,
): Promise<ScoreResponse> {
  const result = await scoring.invokeEndpoint(endpoint, request, { deployment });
  const where = `deployment '${deployment}' of endpoint '${endpoint}'`;
  if (result.status !== 200) {
    throw new AutopilotError(
      `scoring ${label} through ${where} answered HTTP ${result.status}: ${JSON.stringify(result.body)?.slice(0, 300)}`,
      {
        retryable: result.status === 0 || result.status >= 500 || result.status === 429,
      },
    );
  }
  try {
    return readScoringAnswer(result.body);
  } catch (error) {
    throw new AutopilotError(`${where}: ${ensureError(error).message}; check its scoring script`);
  }
}
