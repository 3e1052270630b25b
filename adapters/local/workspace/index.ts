/** @module The local ML workspace (one per environment): jobs, model registry, online endpoints, as the core's roles. */
export { localMlWorkspace, type LocalMlWorkspace, type LocalMlWorkspaceOptions } from './localMlWorkspace';
export type { LocalDeploymentInfo } from './onlineEndpoints';
export type { FetchInput } from './materializeInputs';
export { JobRunner, type JobRunnerOptions } from './jobRunner';
export { LocalModelRegistry } from './modelRegistry';
export { EndpointConflictError, ScoringError } from './workspaceErrors';
export { armEndpointId } from './endpointRecord';
export { LocalEndpointHost, type LocalEndpointHostOptions, type DeploymentMetrics } from '../inference';
