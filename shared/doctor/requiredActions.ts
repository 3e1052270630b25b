import type { EnvironmentName } from '../config/schema';

/** The built-in roles infra/main.json assigns; the doctor's fixes name the same ones. */
export const DATA_SCIENTIST_ROLE = 'AzureML Data Scientist';
export const MONITORING_READER_ROLE = 'Monitoring Reader';
export type GrantingRole = typeof DATA_SCIENTIST_ROLE | typeof MONITORING_READER_ROLE;

export interface RequiredAction {
  /** The Azure RBAC action string, as in role definitions. */
  action: string;
  /** What the service does with it, for the report. */
  why: string;
  /** The built-in role (as infra/main.json assigns it) that grants the action. */
  role: GrantingRole;
}

const WS = 'Microsoft.MachineLearningServices/workspaces';
const ml = (suffix: string, why: string): RequiredAction => ({ action: `${WS}/${suffix}`, why, role: DATA_SCIENTIST_ROLE });

const JOBS = [ml('jobs/read', 'follow training jobs'), ml('jobs/write', 'submit and cancel training jobs')];
const CODES = [ml('codes/read', 'reuse uploaded job code'), ml('codes/write', "upload the job spec's code folder")];
const MODELS = [ml('models/read', 'read model versions'), ml('models/write', 'register and promote model versions')];
const ENDPOINTS = [
  ml('onlineEndpoints/read', 'read endpoints and their traffic'),
  ml('onlineEndpoints/write', 'create endpoints and set traffic'),
  ml('onlineEndpoints/delete', 'remove evaluation endpoints'),
  ml('onlineEndpoints/listKeys/action', 'get the scoring key for smoke, shadow and evaluation requests'),
  ml('onlineEndpoints/deployments/read', 'follow deployments'),
  ml('onlineEndpoints/deployments/write', 'create deployments'),
  ml('onlineEndpoints/deployments/delete', 'delete replaced and rolled-back deployments'),
];
const METRICS: RequiredAction = {
  action: 'Microsoft.Insights/metrics/read',
  why: 'read endpoint metrics for the canary analysis and the shadow report',
  role: MONITORING_READER_ROLE,
};

/**
 * What the azure adapter calls in each environment's workspace (shared/release/stages):
 * dev trains, registers and scores candidates through an evaluation deployment; staging
 * receives promoted models and deployments; prod also has its endpoint metrics read
 * (canary analysis, and the shadow report of the prod endpoint's mirrored traffic).
 */
export function requiredActions(environment: EnvironmentName): readonly RequiredAction[] {
  if (environment === 'dev') return [...JOBS, ...CODES, ...MODELS, ...ENDPOINTS];
  if (environment === 'staging') return [...MODELS, ...ENDPOINTS];
  return [...MODELS, ...ENDPOINTS, METRICS];
}
