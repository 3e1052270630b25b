/** @module The pure core of `autopilot doctor`: check results, the RBAC actions each environment needs, Azure's permission matching, and the judgement of what the adapters read (datastores, data roles, sign-in, metric definitions). */
export { checkResult, summarizeChecks, type CheckResult, type CheckStatus, type CheckSummary } from './checkResult';
export { actionMatches, isActionAllowed, isDataActionAllowed, missingActions, type Permission } from './matchPermissions';
export { requiredActions, DATA_SCIENTIST_ROLE, MONITORING_READER_ROLE, type GrantingRole, type RequiredAction } from './requiredActions';
export { permissionFix, resourceGroupOf, type PermissionFixTarget } from './permissionFix';
export { parseComputeReference, parseEnvironmentReference, formatEnvironmentReference, type EnvironmentReference } from './assetReference';
export { withCheckTimeout, withDeadline, timedOut, messageOf, redactTokens } from './withCheckTimeout';
export { canaryTimingChecks, AZURE_MIN_BAKE_SECONDS, AZURE_MIN_MAX_STEP_SECONDS } from './canaryTiming';
export { promotionCheck } from './promotionCheck';
export { servingContainerCheck } from './servingContainerCheck';
export {
  datastoreCheck,
  datastoreFix,
  jobDataRoleCheck,
  BLOB_READ_DATA_ACTION,
  type AppBlobs,
  type DataRoleInput,
  type DatastoreWhere,
  type FoundDatastore,
} from './dataAccessChecks';
export {
  signInSettingsCheck,
  isTokenAudience,
  openIdCheck,
  openIdUrls,
  appRolesNotice,
  DEFAULT_ENTRA_AUTHORITY,
  type EntraSettings,
  type SignInAppSettings,
  type OpenIdAnswers,
} from './signInChecks';
export { metricAggregationCheck, type MetricDefinition, type NeededMetric } from './metricAggregationCheck';
