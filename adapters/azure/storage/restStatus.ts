/**
 * The Azure SDKs throw `RestError` with `statusCode` (HTTP) and `code` (service error
 * code or, for network failures, e.g. `REQUEST_SEND_ERROR`). Read both defensively so
 * callers do not depend on the SDK's error class identity across package copies.
 */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
