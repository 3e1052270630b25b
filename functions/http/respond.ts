import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import type { Services } from '../../adapters/compose';
import { invocationHandler } from '../../adapters/telemetry';
import { authorize, UnauthenticatedError, type Action, type Principal } from '../../shared/auth/rbac';
import type { EnvironmentName } from '../../shared/config/schema';
import { BadRequestError, ConfigError, ForbiddenError, NotFoundError } from '../../shared/errors';
import { UnreadableRecordError } from '../../shared/release/unreadable';
import type { z } from 'zod';
import { ERROR_CODES, type ErrorStatus } from '../../shared/api/errorBody';
import type { ApiAccess, ApiMethod, ApiOperation, ApiResponses, RouteParamNames } from '../../shared/api/operation';
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

/** A body parsed by its schema, or by a parser of its own (richer messages) that the schema documents. */
export type BodySpec = z.ZodType | { schema: z.ZodType; parse: (raw: unknown) => unknown };
type BodyOf<B> = B extends z.ZodType ? z.output<B> : B extends { parse: (raw: unknown) => infer T } ? T : undefined;
type OutputOf<S> = S extends z.ZodType ? z.output<S> : undefined;

type ParamsOf<Route extends string> = [RouteParamNames<Route>] extends [never] ? undefined : { [K in RouteParamNames<Route>]: string };

/** `params` is required exactly when the route has `{name}` segments, with one string field per name. */
type ParamsOption<Route extends string> = [RouteParamNames<Route>] extends [never]
  ? { params?: undefined }
  : { params: z.ZodObject & z.ZodType<Record<RouteParamNames<Route>, string>, Record<RouteParamNames<Route>, string>> };

/**
 * How to declare a route (the API document, GET /api/openapi.json and docs/api.md, is built
 * from these; nothing else describes the API):
 * - `route`, `method`; `action`: the RBAC action checked before the handler runs, `anonymous`,
 *   or `function-key` (the host checks `?code=`); `environment` it is checked in.
 * - `summary` (one line, for docs/api.md) and optionally `description`.
 * - `params`: a `z.object` with one string field per `{name}` in the route (the types require it).
 * - `query`, `headers`: `z.object`s of the parameters read; `body`: the JSON body's schema
 *   (or `{schema, parse}` for a parser with its own messages). They are parsed here, before the
 *   handler, into its `input` argument; a bad value is a 400 naming it.
 * - `responses`: per success status, `{description, json?: schema, text?: 'text/markdown'}`; the
 *   handler's `jsonBody` must match one declared `json` schema (the types check it). Put response
 *   schemas in shared/api/ so the CLI parses the same ones.
 * - `errors`: statuses beyond those implied (400 with input, 401/403 with an action, 404 with
 *   params, 500/503 always), e.g. `[409]` for a route that reads release records.
 */
export type ApiRouteOptions<
  Route extends string = string,
  Q extends z.ZodObject | undefined = z.ZodObject | undefined,
  B extends BodySpec | undefined = BodySpec | undefined,
  H extends z.ZodObject | undefined = z.ZodObject | undefined,
  R extends ApiResponses = ApiResponses,
> = {
  route: Route;
  method: ApiMethod;
  /** What the caller must be allowed to do; `anonymous` for health; `function-key` for webhooks the host guards. */
  action: ApiAccess;
  /** @default the action's own default environment */
  environment?: EnvironmentName;
  summary: string;
  description?: string;
  query?: Q;
  headers?: H;
  body?: B;
  responses: R;
  /** @default [] */
  errors?: readonly ErrorStatus[];
} & ParamsOption<Route>;

/** What apiRoute parsed for the handler. */
export interface RouteInput<P, Q, B, H> {
  params: P;
  query: Q;
  body: B;
  headers: H;
  context: InvocationContext;
}

/**
 * A loose object's output type has an `[x: string]: unknown` index signature that interfaces
 * (a handler's `ReleaseReport`) lack; without it the check is the declared fields, deeply.
 */
type DeclaredFields<T> = T extends readonly (infer U)[]
  ? DeclaredFields<U>[]
  : T extends object
    ? { [K in keyof T as string extends K ? (unknown extends T[K] ? never : K) : K]: DeclaredFields<T[K]> }
    : T;
type JsonOf<R extends ApiResponses> = { [S in keyof R]: R[S] extends { json: infer J } ? DeclaredFields<OutputOf<J>> : never }[keyof R];
/** A handler's answer: a declared status, and a body matching a declared `json` schema or a declared text type. */
export type ApiReply<R extends ApiResponses> = { status?: keyof R & number; headers?: Record<string, string> } & (
  | { jsonBody: JsonOf<R>; body?: undefined }
  | { body: string; jsonBody?: undefined }
);

type RoleCheckedHandler<P, Q, B, H, R extends ApiResponses> = (
  request: HttpRequest,
  services: Services,
  caller: Principal | undefined,
  input: RouteInput<P, Q, B, H>,
) => Promise<ApiReply<R>>;

const operations: ApiOperation[] = [];

/** Every operation registered through apiRoute in this process, for the API document. */
export function registeredOperations(): readonly ApiOperation[] {
  return operations;
}

/**
 * Registers one API function and its operation in the API document. Authentication happens
 * here (Entra ID tokens in Azure, local tokens on the embedded stack), so the Functions auth
 * level is anonymous, except for `function-key` routes. See ApiRouteOptions for how to declare.
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
  const bodySchema = body === undefined ? undefined : 'parse' in body && typeof body.parse === 'function' && 'schema' in body ? body.schema : (body as z.ZodType);
  operations.push({
    name, route: options.route, method: options.method, access: options.action, summary: options.summary, responses: options.responses,
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
      const caller = access === 'anonymous' || access === 'function-key' ? undefined : await requireRole(request, s, access, options.environment);
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

async function parseBody(body: BodySpec, request: HttpRequest): Promise<unknown> {
  const raw = await jsonBodyOf(request);
  return 'schema' in body && typeof body.parse === 'function' && !(body instanceof Object && '_zod' in body) ? body.parse(raw) : parseOrThrow(body as z.ZodType, raw, 'body');
}

/** A route's `{name}`s and its params schema must agree, or the document would lie about the path. */
function checkParamsMatchRoute(name: string, route: string, params: z.ZodObject | undefined): void {
  const inRoute = [...route.matchAll(/\{\*?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!).sort();
  const declared = Object.keys(params?.shape ?? {}).sort();
  if (inRoute.join(',') !== declared.join(',')) {
    throw new TypeError(`apiRoute ${name}: route '${route}' has params [${inRoute.join(', ')}] but options.params declares [${declared.join(', ')}]; declare one string field per {name}`);
  }
}

function errorResponse(error: unknown, context: InvocationContext): HttpResponseInit {
  const body = (status: ErrorStatus, message: string, where?: string) => ({
    status,
    jsonBody: { error: { code: ERROR_CODES[status], message, ...(where ? { where } : {}) } },
  });
  if (error instanceof BadRequestError) return body(400, error.message, error.where);
  if (error instanceof UnauthenticatedError) return body(401, error.message);
  if (error instanceof ForbiddenError) return body(403, error.message);
  if (error instanceof NotFoundError) return body(404, error.message);
  if (error instanceof UnreadableRecordError) return body(409, error.message);
  if (error instanceof ConfigError) return body(503, error.message);
  // Anything else may carry internals (connection details): log it, return a pointer.
  context.error(`unhandled error in ${context.functionName}:`, error);
  return body(500, `internal error; see the host log for invocation ${context.invocationId}`);
}

/** The caller (Entra ID token, App Service sign-in, or a local token): see adapters/auth/authenticator.ts. */
export function callerOf(request: HttpRequest, s: Services): Promise<Principal | undefined> {
  return s.authenticate(request.headers);
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
