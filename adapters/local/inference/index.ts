/** @module The local online-endpoint router, the scoring-server processes behind it, and what it observes. */
export { LocalEndpointHost, type LocalEndpointHostOptions, type RoutedEndpoint, type EndpointRouting, type ShadowRouting } from './endpointHost';
export type { DeploymentMetrics } from './deploymentMetrics';
export { ScoringProcess, type ScoringProcessOptions, type ScoringProcessState } from './scoringProcess';
export { ScoringServerError, type ScoringServerConfig } from './launchScoringServer';
export { loadDeploymentSpec, type LoadedDeploymentSpec } from './loadDeploymentSpec';
export { pickDeployment, pickMirrors } from './pickDeployment';
export { DEPLOYMENT_HEADER, SYNTHETIC_HEADER, REQUEST_ID_HEADER, CLIENT_REQUEST_ID_HEADER } from './scoringRouter';
export { InferenceCollector, type InferenceCollectorOptions, type CollectionCounters } from './inferenceCollector';
export { toInferenceRecords, type ScoredExchange, type BuiltRecords } from './toInferenceRecords';
export { SHADOW_HEADER } from './forwardRequest';
export { MAX_LOAD_RPS, toLoadSettings, type LoadSettings } from '../../load/loadSettings';
export { MAX_IN_FLIGHT, type LoadStatus } from '../../load/syntheticLoad';
export { OBSERVATIONS_PER_DEPLOYMENT } from './observationRing';
