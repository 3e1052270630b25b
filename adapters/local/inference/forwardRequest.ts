import { request, type Agent, type IncomingMessage, type ServerResponse } from 'node:http';

export interface ForwardTarget {
  deployment: string;
  /** Base URL of the live scoring server; undefined while it is down or restarting. */
  url: string | undefined;
  requestTimeoutMs: number;
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

/**
 * Streams a scoring request to a deployment and its answer back. Calls `done` once with
 * the status the caller got (502 when the server is unreachable, 504 after the deployment's
 * request timeout) and the latency. `onChunk` sees the request body (for mirroring).
 */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  target: ForwardTarget,
  agent: Agent,
  done: (status: number, latencyMs: number) => void,
  onChunk?: (chunk: Buffer) => void,
): void {
  const started = performance.now();
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = (status: number) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    done(status, performance.now() - started);
  };
  res.setHeader('azureml-model-deployment', target.deployment);
  if (onChunk) req.on('data', onChunk);
  if (!target.url) {
    req.resume();
    sendJson(res, 502, { error: `deployment '${target.deployment}' is not serving right now (starting, restarting or failed)` });
    finish(502);
    return;
  }
  const headers: Record<string, string> = { 'content-type': String(req.headers['content-type'] ?? 'application/json') };
  if (req.headers['content-length']) headers['content-length'] = String(req.headers['content-length']);
  const upstream = request(`${target.url}/score`, { method: 'POST', agent, headers });
  let timedOut = false;
  timer = setTimeout(() => {
    timedOut = true;
    upstream.destroy(new Error('request timeout'));
  }, target.requestTimeoutMs);

  upstream.on('response', (answer) => {
    const status = answer.statusCode ?? 502;
    res.writeHead(status, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
    answer.pipe(res);
    answer.on('end', () => finish(status));
    answer.on('error', () => finish(502));
  });
  upstream.on('error', (error) => {
    if (timedOut) {
      sendJson(res, 504, { error: `deployment '${target.deployment}' did not answer within ${target.requestTimeoutMs} ms (request_timeout_ms)` });
      finish(504);
    } else {
      sendJson(res, 502, { error: `deployment '${target.deployment}' is unreachable: ${error.message}` });
      finish(502);
    }
  });
  // A caller that hangs up must not leave the scoring request running.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/** Sends a copy of a request to a mirror deployment; the answer is read and dropped. */
export function sendMirror(target: ForwardTarget & { url: string }, body: Buffer, contentType: string, agent: Agent): Promise<number> {
  return new Promise((resolve) => {
    let timedOut = false;
    const upstream = request(`${target.url}/score`, {
      method: 'POST',
      agent,
      headers: { 'content-type': contentType, 'content-length': body.length },
      timeout: target.requestTimeoutMs,
    });
    upstream.on('response', (answer) => {
      answer.resume();
      answer.on('end', () => resolve(answer.statusCode ?? 502));
    });
    upstream.on('timeout', () => {
      timedOut = true;
      upstream.destroy(new Error('timeout'));
    });
    upstream.on('error', () => resolve(timedOut ? 504 : 502));
    upstream.end(body);
  });
}
