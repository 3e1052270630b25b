/**
 * An extra route for operations outside the core set (doctor's permission checks, code
 * uploads...): answers `[status, payload, headers?]`, or undefined to fall through.
 * Throw an `ArmHttpError` for an ARM-style error body.
 */
export type ExtraRoute = (method: string, url: URL, body: unknown) => [number, unknown?, Record<string, string>?] | undefined;

/** An ARM-style error answer (`{ error: { code, message } }` with the status) thrown by a route. */
export class ArmHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
