import { request, type Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { captureJsonBody } from './responseBody';
import type { RequestCopy } from './requestCopy';

export interface ForwardTarget {
  deployment: string;
  /** Base URL of the live scoring server; undefined while it is down or restarting. */
  url: string | undefined;
  requestTimeoutMs: number;
}

/** How one scoring request ended, as the caller saw it. */
export interface ForwardOutcome {
  status: number;
  latencyMs: number;
  /** The answer, when it was JSON under MAX_INSPECTED_BODY_BYTES (read after it was sent on). */
  body?: Buffer | undefined;
}

/** Host, port and path of `<url>/score`, parsed once per scoring server rather than once per request. */
const parsedTargets = new Map<string, { host: string; port: string; path: string }>();
function scoreRequestOptions(url: string): { host: string; port: string; path: string } {
  let options = parsedTargets.get(url);
  if (!options) {
    const parsed = new URL(`${url}/score`);
    options = { host: parsed.hostname, port: parsed.port, path: parsed.pathname };
    // Servers restart on new ports now and then; a bound keeps a long-lived host's map small.
    if (parsedTargets.size >= 256) parsedTargets.clear();
    parsedTargets.set(url, options);
  }
  return options;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** One forwarded request's end, reported once (whichever of answer, error or timeout comes first). */
class Outcome {
  private readonly started = performance.now();
  private finished = false;
  timer: NodeJS.Timeout | undefined;

  constructor(private readonly done: (outcome: ForwardOutcome) => void) {}

  finish(status: number, body?: Buffer): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.done({ status, latencyMs: performance.now() - this.started, body });
  }
}

/**
 * Streams a scoring request to a deployment and its answer back. Calls `done` once with
 * the status the caller got (502 when the server is unreachable, 504 after the deployment's
 * request timeout), the latency and, for small JSON answers, a copy of the answer.
 * `copy` keeps the request body (for mirroring and collection).
 * Callbacks are passed inline, none is a named closure: under tsx (the bench, the dev stack) each
 * named one costs a __name call per request.
 */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  target: ForwardTarget,
  agent: Agent,
  done: (outcome: ForwardOutcome) => void,
  copy?: RequestCopy,
): void {
  const outcome = new Outcome(done);
  res.setHeader('azureml-model-deployment', target.deployment);
  if (copy) req.on('data', (chunk: Buffer) => copy.add(chunk));
  if (!target.url) {
    req.resume();
    sendJson(res, 502, { error: `deployment '${target.deployment}' is not serving right now (starting, restarting or failed)` });
    outcome.finish(502);
    return;
  }
  const headers: Record<string, string> = { 'content-type': String(req.headers['content-type'] ?? 'application/json') };
  if (req.headers['content-length']) headers['content-length'] = String(req.headers['content-length']);
  const upstream = request({ ...scoreRequestOptions(target.url), method: 'POST', agent, headers });
  let timedOut = false;
  outcome.timer = setTimeout(() => {
    timedOut = true;
    upstream.destroy(new Error('request timeout'));
  }, target.requestTimeoutMs);

  upstream.on('response', (answer) => {
    const status = answer.statusCode ?? 502;
    // The length passed on when the server gave one: without it the answer goes out chunked,
    // which costs the caller a parse and the router an extra write per request.
    const length = answer.headers['content-length'];
    res.writeHead(status, {
      'content-type': answer.headers['content-type'] ?? 'application/json',
      ...(length ? { 'content-length': length } : {}),
    });
    const body = captureJsonBody(answer);
    answer.pipe(res);
    // Registered after pipe(): the answer has been handed to the caller before we look at it.
    answer.on('end', () => outcome.finish(status, body()));
    answer.on('error', () => outcome.finish(502));
  });
  upstream.on('error', (error) => {
    if (timedOut) {
      sendJson(res, 504, {
        error: `deployment '${target.deployment}' did not answer within ${target.requestTimeoutMs} ms (request_timeout_ms)`,
      });
      outcome.finish(504);
    } else {
      sendJson(res, 502, { error: `deployment '${target.deployment}' is unreachable: ${error.message}` });
      outcome.finish(502);
    }
  });
  // A caller that hangs up must not leave the scoring request running.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/** Sends a copy of a request to a deployment whose answer only the router looks at. */
export function sendMirror(target: ForwardTarget, body: Buffer, contentType: string, agent: Agent): Promise<ForwardOutcome> {
  const started = performance.now();
  const outcome = (status: number, answer?: Buffer): ForwardOutcome => ({ status, latencyMs: performance.now() - started, body: answer });
  const url = target.url;
  if (!url) return Promise.resolve(outcome(502));
  return new Promise((resolve) => {
    let timedOut = false;
    const upstream = request({
      ...scoreRequestOptions(url),
      method: 'POST',
      agent,
      headers: { 'content-type': contentType, 'content-length': body.length },
    });
    // The whole exchange, as for live requests: a server that trickles its answer times out too.
    const timer = setTimeout(() => {
      timedOut = true;
      upstream.destroy(new Error('timeout'));
    }, target.requestTimeoutMs);
    const settle = (result: ForwardOutcome) => {
      clearTimeout(timer);
      resolve(result);
    };
    upstream.on('response', (answer: IncomingMessage) => {
      const captured = captureJsonBody(answer);
      answer.resume();
      answer.on('end', () => settle(outcome(answer.statusCode ?? 502, captured())));
      answer.on('error', () => settle(outcome(timedOut ? 504 : 502)));
    });
    upstream.on('error', () => settle(outcome(timedOut ? 504 : 502)));
    upstream.end(body);
  });
}
