import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { EVENTGRID_WEBHOOK_PATH, handleEventGridWebhook } from './eventGridWebhook';
import type { FunctionInvoker } from './functionInvoker';
import type { FunctionsCore } from './functionsCore';
import { EVENTGRID_SYSTEM_KEY, isAuthorized, type HostKeys } from './hostKeys';
import { readBody, RequestTooLargeError, sendJson, toHttpRequest, writeHandlerResult } from './httpMessages';
import type { HttpRouteTable } from './httpRouteTable';
import type { HostLogger } from './logger';
import { ensureError } from '../shared/errors';

export interface HostHttpDeps {
  core: FunctionsCore;
  invoker: FunctionInvoker;
  routes: HttpRouteTable;
  keys: HostKeys;
  logger: HostLogger;
  /** For /admin/host/status. */
  status: () => Record<string, unknown>;
}

/** The key a caller presents: `?code=` or the `x-functions-key` header, as in Azure. */
function presentedKey(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['x-functions-key'];
  return url.searchParams.get('code') ?? (Array.isArray(header) ? header[0] : header);
}

function unauthorized(res: ServerResponse): void {
  sendJson(res, 401, { error: 'Unauthorized: pass a valid key in ?code= or the x-functions-key header' });
}

/** The host's single HTTP server: admin API, extension webhooks and HTTP-triggered functions. */
export function createHostHttpServer(deps: HostHttpDeps): Server {
  const server = createServer((req, res) => {
    handle(req, res, deps).catch((error: unknown) => {
      deps.logger.error(`Unhandled error serving ${req.method} ${req.url?.split('?')[0]}: ${ensureError(error).stack ?? String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal Server Error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: HostHttpDeps): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/{2,}/g, '/');
  const lowerPath = path.toLowerCase();
  const key = presentedKey(req, url);

  if (lowerPath === '/admin/host/ping') {
    res.writeHead(200, { 'content-length': '0' }).end();
    return;
  }
  if (lowerPath === '/admin/host/status') {
    if (!isAuthorized(deps.keys, 'admin', key)) return unauthorized(res);
    sendJson(res, 200, deps.status());
    return;
  }
  if (lowerPath === EVENTGRID_WEBHOOK_PATH) {
    if (!isAuthorized(deps.keys, 'system', key, EVENTGRID_SYSTEM_KEY)) return unauthorized(res);
    await handleEventGridWebhook(req, res, deps);
    return;
  }

  // The host's root leads people to the dashboard (functions/http/dashboard.ts).
  if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(302, { location: `${deps.routes.basePath}dashboard/`, 'content-length': '0' }).end();
    return;
  }
  const found = deps.routes.lookup(req.method ?? 'GET', path);
  if (found.kind === 'method-not-allowed') {
    // Azure routes by method too, so a wrong method is a 404 there; we add a hint.
    sendJson(res, 404, { error: `Not Found: ${path} does not accept ${req.method}; it accepts ${found.allowed.join(', ')}` });
    return;
  }
  if (found.kind === 'not-found') {
    sendJson(res, 404, { error: `Not Found: no function serves ${req.method} ${path}` });
    return;
  }
  const { route, params } = found;
  if (!isAuthorized(deps.keys, route.authLevel, key)) return unauthorized(res);
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (error) {
    if (error instanceof RequestTooLargeError) return sendJson(res, 413, { error: error.message });
    throw error;
  }
  const request = toHttpRequest(req, body, params);
  let outcome;
  try {
    outcome = await deps.invoker.invoke(route.fn, request, {
      reason: 'This function was called by an HTTP request',
      triggerMetadata: { ...params, query: request.query, headers: Object.fromEntries(request.headers) },
    });
  } catch {
    // The invoker logged the error and its stack; the client only learns that it failed.
    sendJson(res, 500, { error: 'An error occurred while executing the function; see the host log' });
    return;
  }
  try {
    await writeHandlerResult(res, outcome.result);
  } catch (error) {
    deps.logger.error(`Function '${route.fn.name}' returned an unusable HTTP response: ${ensureError(error).message}`, {
      functionName: route.fn.name,
      invocationId: outcome.invocationId,
    });
    if (res.headersSent) res.destroy();
    else sendJson(res, 500, { error: 'An error occurred while executing the function; see the host log' });
  }
}
