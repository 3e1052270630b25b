import { z } from 'zod';
import { ErrorBody as ApiErrorBody } from '../shared/api/errorBody';

/**
 * Responses of the HTTP API: the very schemas the API declares in its document
 * (GET /api/openapi.json), from shared/api/. Objects are loose so `--json` passes through
 * fields this CLI version does not know yet.
 */
export * from '../shared/api/releaseResponses';
export * from '../shared/api/catalogResponses';
export * from '../shared/api/monitoringResponses';
export * from '../shared/api/dashboardResponses';

/**
 * The API's error body, read tolerantly: a newer host may answer a code this version does
 * not know, and its message must still reach the user.
 */
export const ErrorBody = z.object({
  error: ApiErrorBody.shape.error.extend({ code: z.string().default('error') }),
});
