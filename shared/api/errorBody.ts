import { z } from 'zod';

/**
 * The error codes the API answers with, by HTTP status: functions/http/respond.ts maps typed
 * errors to these, and the API document declares them, so the two cannot drift apart.
 */
export const ERROR_CODES = {
  400: 'BadRequest',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'UnreadableRecord',
  500: 'InternalError',
  503: 'ConfigurationInvalid',
} as const;
export type ErrorStatus = keyof typeof ERROR_CODES;
/** Codes more specific than their status's: a 403 for a cookie-only mutating call without `x-autopilot-csrf`; a 503 while Entra ID's signing keys cannot be fetched. */
export const SPECIFIC_ERROR_CODES = { csrf: 'CsrfHeaderMissing', signInUnavailable: 'SignInUnavailable' } as const;
export type ErrorCode = (typeof ERROR_CODES)[ErrorStatus] | (typeof SPECIFIC_ERROR_CODES)[keyof typeof SPECIFIC_ERROR_CODES];

/** When each error happens, for the document's readers. */
export const ERROR_MEANINGS: Record<ErrorStatus, string> = {
  400: 'A path parameter, query parameter or body field is invalid; `where` names it (e.g. `query.limit`).',
  401: 'No token, or one the API does not know.',
  403: 'The caller has no role that allows this action in this environment (code `CsrfHeaderMissing`: a dashboard session changed something without the `x-autopilot-csrf: 1` header).',
  404: 'The release, pipeline, endpoint or other named thing does not exist.',
  409: 'The stored release record no longer parses; repair it (docs/operations.md, "Unreadable release records").',
  500: 'An unexpected error; the message points at the host log of the invocation.',
  503: "autopilot.yaml is invalid; the message names the file, path and reason (code `SignInUnavailable`: Entra ID's signing keys could not be fetched, so no token can be checked; try again).",
};

export const ErrorCodeSchema = z.enum([...Object.values(ERROR_CODES), ...Object.values(SPECIFIC_ERROR_CODES)] as [
  ErrorCode,
  ...ErrorCode[],
]);

/** Every error the API answers: `{error: {code, message, where?}}`. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: ErrorCodeSchema,
      message: z.string().meta({ description: 'What went wrong and what to do next.' }),
      where: z.string().optional().meta({ description: 'The invalid input, as `body.field`, `query.name` or `params.name`.' }),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;
