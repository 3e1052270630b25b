import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import type { Services } from '../../adapters/compose';
import { invocationHandler } from '../../adapters/telemetry';
import { CsrfRefusedError } from '../../adapters/auth/sessionCookie';
import { authorize, UnauthenticatedError, type Action, type Principal } from '../../shared/auth/rbac';
import type { EnvironmentName } from '../../shared/config/schema';
import { BadRequestError, ConfigError, ForbiddenError, NotFoundError, SignInUnavailableError } from '../../shared/errors';
import { UnreadableRecordError } from '../../shared/release/unreadable';
import type { z } from 'zod';
import { ERROR_CODES, SPECIFIC_ERROR_CODES, type ErrorCode, type ErrorStatus } from '../../shared/api/errorBody';
import type { ApiOperation, ApiResponses } from '../../shared/api/operation';
import type { ApiRouteOptions, BodyOf, BodySpec, OutputOf, ParamsOf, RoleCheckedHandler } from './routeTypes';

export type { ApiReply, ApiRouteOptions, BodySpec, RouteInput } from './routeTypes';
import { services } from '../services';

type Handler = (request: HttpRequest, context: InvocationContext, services: Services) => Promise<HttpResponseInit>;

/**
 * Wraps an API handler: services, then typed errors to HTTP statuses with `{error: {code, message, where}}`.
 * Runs in the invocation's scope, correlated by the route's `{id}` (a release) and `{pipeline}`.
 */
export function api(handler: Handler) {
  return invocationHandler(
    async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
      try {
        return await handler(request, context, await services());
      } catch (error) {
        return errorResponse(error, context);
      }
    },
    (request) => ({ releaseId: request.params.id, pipeline: request.params.pipeline }),
  );
}

const operations: ApiOperation[] = [];

/** Every operation registered through apiRoute (or browserRoute) in this process, for the API document. */
export function registeredOperations(): readonly ApiOperation[] {
  return operations;
}

/** Adds an operation registered by other means than apiRoute (the dashboard's browser routes). */
export function registerOperation(operation: ApiOperation): void {
  operations.push(operation);
}

/**
 * Registers one API function and its operation in the API document. Authentication happens
 * here (Entra ID tokens in Azure, local tokens on the embedded stack), so the Functions auth
 * level is anonymous, except for `function-key` routes. How to declare: ApiRouteOptions
 * (functions/http/routeTypes.ts). For example:
 *
 * ```ts
 * apiRoute('getThing', {
 *   route: 'things/{id}', method: 'GET', action: 'read',
 *   params: z.object({ id: z.string().min(1) }),          // required: the route has {id}
 *   query: z.object({ limit: wholeNumberParam(1, 100, 20) }),
 *   summary: 'One thing.',
 *   responses: { 200: { description: 'The thing', json: ThingResponse } }, // ThingResponse in shared/api/
 * }, async (_request, s, caller, { params, query }) => ({ jsonBody: { thing: await s.things.get(params.id, query.limit) } }));
 * ```
 */
export function apiRoute<
  const Route extends string,
  const R extends ApiResponses,
  Q extends z.ZodObject | undefined = undefined,
  B extends BodySpec | undefined = undefined,
  H extends z.ZodObject | undefined = undefined,
>(
  name: string,
  options: ApiRouteOptions<Route, Q, B, H, R>,
  handler: RoleCheckedHandler<ParamsOf<Route>, OutputOf<Q>, BodyOf<B>, OutputOf<H>, R>,
): void {
  const params = options.params as z.ZodObject | undefined;
  checkParamsMatchRoute(name, options.route, params);
  const body = options.body as BodySpec | undefined;
  const bodySchema = body === undefined ? undefined : isOwnParser(body) ? body.schema : body;
  operations.push({
    name,
    route: options.route,
    method: options.method,
    access: options.action,
    summary: options.summary,
    responses: options.responses,
    ...(options.environment ? { environment: options.environment } : {}),
    ...(options.description ? { description: options.description } : {}),
    ...(params ? { params } : {}),
    ...(options.query ? { query: options.query } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(bodySchema ? { body: bodySchema } : {}),
    ...(options.errors ? { errors: options.errors } : {}),
  });
  const access = options.action;
  app.http(name, {
    route: options.route,
    methods: [options.method],
    authLevel: access === 'function-key' ? 'function' : 'anonymous',
    handler: api(async (request, context, s) => {
      const caller =
        access === 'anonymous' || access === 'function-key' ? undefined : await requireRole(request, s, access, options.environment);
      const input = {
        params: params ? parseOrThrow(params, request.params, 'params') : undefined,
        query: options.query ? parseOrThrow(options.query, Object.fromEntries(request.query.entries()), 'query') : undefined,
        headers: options.headers ? parseOrThrow(options.headers, Object.fromEntries(request.headers.entries()), 'headers') : undefined,
        body: body === undefined ? undefined : await parseBody(body, request),
        context,
      };
      return handler(request, s, caller, input as never) as Promise<HttpResponseInit>;
    }),
  });
}

/** Zod schemas have a `parse` too: tell `{schema, parse}` apart by zod's own marker. */
function isOwnParser(body: BodySpec): body is { schema: z.ZodType; parse: (raw: unknown) => unknown } {
  return !('_zod' in body);
}

async function parseBody(body: BodySpec, request: HttpRequest): Promise<unknown> {
  const raw = await jsonBodyOf(request);
  return isOwnParser(body) ? body.parse(raw) : parseOrThrow(body, raw, 'body');
}

/** A route's `{name}`s and its params schema must agree, or the document would lie about the path. */
function checkParamsMatchRoute(name: string, route: string, params: z.ZodObject | undefined): void {
  const inRoute = [...route.matchAll(/\{\*?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!).sort();
  const declared = Object.keys(params?.shape ?? {}).sort();
  if (inRoute.join(',') !== declared.join(',')) {
    throw new TypeError(
      `apiRoute ${name}: route '${route}' has params [${inRoute.join(', ')}] but options.params declares [${declared.join(', ')}]; declare one string field per {name}`,
    );
  }
}

function errorResponse(error: unknown, context: InvocationContext): HttpResponseInit {
  const body = (status: ErrorStatus, message: string, where?: string, code: ErrorCode = ERROR_CODES[status]) => ({
    status,
    jsonBody: { error: { code, message, ...(where ? { where } : {}) } },
  });
  if (error instanceof BadRequestError) return body(400, error.message, error.where);
  if (error instanceof UnauthenticatedError) return body(401, error.message);
  if (error instanceof ForbiddenError) return body(403, error.message);
  if (error instanceof CsrfRefusedError) return body(403, error.message, undefined, SPECIFIC_ERROR_CODES.csrf);
  if (error instanceof NotFoundError) return body(404, error.message);
  if (error instanceof UnreadableRecordError) return body(409, error.message);
  if (error instanceof ConfigError) return body(503, error.message);
  if (error instanceof SignInUnavailableError) return body(503, error.message, undefined, SPECIFIC_ERROR_CODES.signInUnavailable);
  // Anything else may carry internals (connection details): log it, return a pointer.
  context.error(`unhandled error in ${context.functionName}:`, error);
  return body(500, `internal error; see the host log for invocation ${context.invocationId}`);
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
