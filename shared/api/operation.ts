import type { z } from 'zod';
import type { Action } from '../auth/rbac';
import type { EnvironmentName } from '../config/schema';
import type { ErrorStatus } from './errorBody';

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call: a role-checked `Action` (bearer token), `anonymous` (health, the document),
 * or `function-key` (the host checks `?code=` before the handler runs: Azure Monitor's webhook).
 */
export type ApiAccess = Action | 'anonymous' | 'function-key';

/** The `{name}` segments of a route template, as a union: `releases/{id}/log` gives `'id'`. */
export type RouteParamNames<Route extends string> = Route extends `${string}{${infer Param}}${infer Rest}`
  ? Param | RouteParamNames<Rest>
  : never;

/** One success answer. `json` and `text` may both be given when the caller picks (a report as JSON or Markdown). */
export interface ApiResponseSpec {
  description: string;
  /** The JSON body's schema (its parsed output is what the handler must return). */
  json?: z.ZodType;
  /** A text media type the route answers with instead, e.g. `text/markdown`. */
  text?: `text/${string}`;
}

/** 302/303: a browser route's redirect (the dashboard's sign-in link), described without a body. */
export type SuccessStatus = 200 | 201 | 202 | 204 | 302 | 303;
export type ApiResponses = { [S in SuccessStatus]?: ApiResponseSpec };

/** An API operation as data: what apiRoute registers and apiDocument renders. */
export interface ApiOperation {
  /** The function's name; the document's operationId. */
  name: string;
  /** The route under /api, in Azure Functions' template syntax (`releases/{id}`). */
  route: string;
  method: ApiMethod;
  access: ApiAccess;
  /** The environment the action is checked against. @default the action's own default environment */
  environment?: EnvironmentName;
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** A browser form's body (`application/x-www-form-urlencoded`), instead of a JSON one. */
  formBody?: z.ZodObject;
  responses: ApiResponses;
  /** Error statuses beyond those the operation's shape implies (see `errorStatusesOf`). @default [] */
  errors?: readonly ErrorStatus[];
}

/**
 * The errors an operation can answer: 400 when it reads input, 401/403 when it checks a role,
 * 404 when it names a thing in its path, 500 and 503 (config) always, and any it declares.
 */
export function errorStatusesOf(op: ApiOperation): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>([500, 503, ...(op.errors ?? [])]);
  if (op.params || op.query || op.body || op.formBody || op.headers) statuses.add(400);
  if (op.params) statuses.add(404);
  if (op.access === 'function-key') statuses.add(401);
  else if (op.access !== 'anonymous') [401, 403].forEach((s) => statuses.add(s as ErrorStatus));
  return [...statuses].sort((a, b) => a - b);
}
