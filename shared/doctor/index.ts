/** @module The pure core of `autopilot doctor`: check results, the RBAC actions each environment needs, and Azure's permission matching. */
export { checkResult, summarizeChecks, type CheckResult, type CheckStatus, type CheckSummary } from './checkResult';
export { actionMatches, isActionAllowed, missingActions, type Permission } from './matchPermissions';
export { requiredActions, DATA_SCIENTIST_ROLE, MONITORING_READER_ROLE, type GrantingRole, type RequiredAction } from './requiredActions';
export { permissionFix, resourceGroupOf, type PermissionFixTarget } from './permissionFix';
export { parseComputeReference, parseEnvironmentReference, formatEnvironmentReference, type EnvironmentReference } from './assetReference';
export { withCheckTimeout, withDeadline, timedOut, messageOf, redactTokens } from './withCheckTimeout';
export { canaryTimingChecks, AZURE_MIN_BAKE_SECONDS, AZURE_MIN_MAX_STEP_SECONDS } from './canaryTiming';
export { promotionCheck } from './promotionCheck';
export { servingContainerCheck } from './servingContainerCheck';
