import { AutopilotError } from '../../../shared/errors';
import type { EnvironmentName } from '../../../shared/config/schema';

/** Endpoint names are unique across environments (as in Azure ML); another one has this name. */
export class EndpointConflictError extends AutopilotError {
  constructor(
    readonly endpoint: string,
    readonly ownerEnvironment: EnvironmentName,
    readonly requestedEnvironment: EnvironmentName,
  ) {
    super(
      `endpoint '${endpoint}' already exists in environment ${ownerEnvironment}; endpoint names are unique across ` +
        `environments — use another name for ${requestedEnvironment} (e.g. '<pipeline>-${requestedEnvironment}')`,
    );
  }
}

/** Scoring outside an endpoint (scoreBatch) failed; names the model, the script and what it answered. */
export class ScoringError extends AutopilotError {
  constructor(
    readonly model: string,
    readonly script: string,
    message: string,
  ) {
    super(`scoring with ${model} through ${script} failed: ${message}`);
  }
}
