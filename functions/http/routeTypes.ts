import type { Cookie, InvocationContext, HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import type { Services } from '../../adapters/compose';
import type { Principal } from '../../shared/auth/rbac';
import type { EnvironmentName } from '../../shared/config/schema';
import type { ErrorStatus } from '../../shared/api/errorBody';
import type { ApiAccess, ApiMethod, ApiResponses, RouteParamNames } from '../../shared/api/operation';

/** A body parsed by its schema, or by a parser of its own (richer messages) that the schema documents. */
export type BodySpec = z.ZodType | { schema: z.ZodType; parse: (raw: unknown) => unknown };
export type BodyOf<B> = B extends z.ZodType ? z.output<B> : B extends { parse: (raw: unknown) => infer T } ? T : undefined;
export type OutputOf<S> = S extends z.ZodType ? z.output<S> : undefined;

export type ParamsOf<Route extends string> = [RouteParamNames<Route>] extends [never]
  ? undefined
  : { [K in RouteParamNames<Route>]: string };

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
 *   handler's `jsonBody` must match one declared `json` schema (the types check it), its `status`
 *   one declared status (write `202 as const` when it is computed). Put response schemas in
 *   shared/api/ so the CLI parses the same ones.
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
export type ApiReply<R extends ApiResponses> = { status?: keyof R & number; headers?: Record<string, string>; cookies?: Cookie[] } & (
  { jsonBody: JsonOf<R>; body?: undefined } | { body: string; jsonBody?: undefined }
);

export type RoleCheckedHandler<P, Q, B, H, R extends ApiResponses> = (
  request: HttpRequest,
  services: Services,
  caller: Principal | undefined,
  input: RouteInput<P, Q, B, H>,
) => Promise<ApiReply<R>>;
