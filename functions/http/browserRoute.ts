import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';
import type { ApiMethod, ApiResponses } from '../../shared/api/operation';
import type { ErrorStatus } from '../../shared/api/errorBody';
import { api, registerOperation } from './respond';

export interface BrowserRouteOptions {
  route: string;
  method: ApiMethod;
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** The urlencoded form the route reads (declared only: the handler parses it, it answers pages, not JSON errors). */
  formBody?: z.ZodObject;
  responses: ApiResponses;
  errors?: readonly ErrorStatus[];
}

/**
 * An anonymous route a browser navigates to (the dashboard's files, its sign-in link): it answers
 * pages and redirects, not the API's JSON, so it does not take apiRoute's typed replies, yet it
 * is declared in the API document like every other function of the app.
 */
export function browserRoute(
  name: string,
  options: BrowserRouteOptions,
  handler: (request: HttpRequest, services: Parameters<Parameters<typeof api>[0]>[2]) => Promise<HttpResponseInit>,
): void {
  registerOperation({
    name,
    route: options.route,
    method: options.method,
    access: 'anonymous',
    summary: options.summary,
    responses: options.responses,
    ...(options.description ? { description: options.description } : {}),
    ...(options.params ? { params: options.params } : {}),
    ...(options.query ? { query: options.query } : {}),
    ...(options.formBody ? { formBody: options.formBody } : {}),
    ...(options.errors ? { errors: options.errors } : {}),
  });
  app.http(name, {
    route: options.route,
    methods: [options.method],
    authLevel: 'anonymous',
    handler: api((request, _context, s) => handler(request, s)),
  });
}
