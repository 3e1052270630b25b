/** @module The local online-endpoint router, the scoring-server processes behind it, and what it observes. */
export {
  LocalEndpointHost,
  type LocalEndpointHostOptions,
  type RoutedEndpoint,
  type EndpointRouting,
  type ShadowRouting,
} from './endpointHost';
export type { DeploymentMetrics } from './deploymentMetrics';
export { ScoringProcess, type ScoringProcessOptions, type ScoringProcessState } from './scoringProcess';
export { ScoringServerError, type ScoringServerConfig } from './launchScoringServer';
export { loadDeploymentSpec, type LoadedDeploymentSpec } from './loadDeploymentSpec';
export { pickDeployment, pickMirrors } from './pickDeployment';
