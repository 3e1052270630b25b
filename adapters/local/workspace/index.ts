/** @module The local ML workspace (one per environment): jobs, model registry, online endpoints. */
export { LocalWorkspace, type LocalWorkspaceOptions } from './localWorkspace';
export type { LocalDeploymentInfo } from './onlineEndpoints';
export type { FetchInput } from './materializeInputs';
export { JobRunner, type JobRunnerOptions } from './jobRunner';
export { ModelRegistry } from './modelRegistry';
export { EndpointConflictError, ScoringError } from './workspaceErrors';
export { armEndpointId } from './endpointRecord';
export { LocalEndpointHost, type LocalEndpointHostOptions, type DeploymentMetrics } from '../inference';
