/** @module The local online-endpoint router and the scoring-server processes behind it. */
export { LocalEndpointHost, type LocalEndpointHostOptions, type RoutedEndpoint, type EndpointRouting } from './endpointHost';
export type { DeploymentMetrics } from './deploymentMetrics';
export { ScoringProcess, type ScoringProcessOptions, type ScoringProcessState } from './scoringProcess';
export { ScoringServerError, type ScoringServerConfig } from './launchScoringServer';
export { loadDeploymentSpec, type LoadedDeploymentSpec } from './loadDeploymentSpec';
export { pickDeployment, pickMirrors } from './pickDeployment';
