import { app, type HttpMethod, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import type { Services } from '../../adapters/compose';
import { invocationHandler } from '../../adapters/telemetry';
import { CsrfRefusedError } from '../../adapters/auth/sessionCookie';
import { authorize, UnauthenticatedError, type Action, type Principal } from '../../shared/auth/rbac';
import type { EnvironmentName } from '../../shared/config/schema';
import { BadRequestError, ConfigError, ForbiddenError, NotFoundError } from '../../shared/errors';
import { UnreadableRecordError } from '../../shared/release/unreadable';
import type { z } from 'zod';
import { services } from '../services';

type Handler = (request: HttpRequest, context: InvocationContext, services: Services) => Promise<HttpResponseInit>;

/**
 * Wraps an API handler: services, then typed errors to HTTP statuses with `{error: {code, message, where}}`.
 * Runs in the invocation's scope, correlated by the route's `{id}` (a release) and `{pipeline}`.
 */
export function api(handler: Handler) {
  return invocationHandler(async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    try {
      return await handler(request, context, await services());
    } catch (error) {
      return errorResponse(error, context);
    }
  }, (request) => ({ releaseId: request.params.id, pipeline: request.params.pipeline }));
}

export interface ApiRouteOptions {
  route: string;
  method: HttpMethod;
  /** What the caller must be allowed to do; `anonymous` for health. */
  action: Action | 'anonymous';
  /** @default the action's own default environment */
  environment?: EnvironmentName;
}

type RoleCheckedHandler = (request: HttpRequest, services: Services, caller: Principal | undefined) => Promise<HttpResponseInit>;

/**
 * Registers one API function. Authentication happens here (Entra ID tokens in Azure, local
 * tokens on the embedded stack), so the Functions auth level is anonymous.
 */
export function apiRoute(name: string, options: ApiRouteOptions, handler: RoleCheckedHandler): void {
  app.http(name, {
    route: options.route,
    methods: [options.method],
    authLevel: 'anonymous',
    handler: api(async (request, _context, s) => {
      const caller = options.action === 'anonymous' ? undefined : await requireRole(request, s, options.action, options.environment);
      return handler(request, s, caller);
    }),
  });
}

function errorResponse(error: unknown, context: InvocationContext): HttpResponseInit {
  const body = (status: number, code: string, message: string, where?: string) => ({
    status,
    jsonBody: { error: { code, message, ...(where ? { where } : {}) } },
  });
  if (error instanceof BadRequestError) return body(400, 'BadRequest', error.message, error.where);
  if (error instanceof UnauthenticatedError) return body(401, 'Unauthenticated', error.message);
  if (error instanceof ForbiddenError) return body(403, 'Forbidden', error.message);
  if (error instanceof CsrfRefusedError) return body(403, 'CsrfHeaderMissing', error.message);
  if (error instanceof NotFoundError) return body(404, 'NotFound', error.message);
  if (error instanceof UnreadableRecordError) return body(409, 'UnreadableRecord', error.message);
  if (error instanceof ConfigError) return body(503, 'ConfigurationInvalid', error.message);
  // Anything else may carry internals (connection details): log it, return a pointer.
  context.error(`unhandled error in ${context.functionName}:`, error);
  return body(500, 'InternalError', `internal error; see the host log for invocation ${context.invocationId}`);
}

/** The caller (Entra ID token, App Service sign-in, a local token or the dashboard's session cookie): see adapters/auth/authenticator.ts. */
export function callerOf(request: HttpRequest, s: Services): Promise<Principal | undefined> {
  return s.authenticate(request.headers, { method: request.method });
}

async function requireRole(request: HttpRequest, s: Services, action: Action, environment?: EnvironmentName): Promise<Principal> {
  return authorize(await callerOf(request, s), action, environment);
}

export async function jsonBodyOf(request: HttpRequest): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError('request body is not valid JSON', 'body');
  }
}


/** Validates input with a zod schema; the first problem becomes a 400 naming the field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new BadRequestError(issue.message, [where, ...issue.path.map(String)].join('.'));
}
