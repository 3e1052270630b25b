import { request, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface PostJsonOptions {
  headers?: Record<string, string>;
  /** Keep-alive agent to reuse connections. @default a new connection per request */
  agent?: Agent;
  /** Abandon the request after this long (status 0). @default 60_000 */
  timeoutMs?: number;
}

export interface PostJsonResult {
  /** The HTTP status, or 0 when there was no HTTP answer (refused, reset, timed out). */
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  latencyMs: number;
  /** Why there was no HTTP answer (status 0). */
  error?: string;
}

/**
 * POSTs a JSON body and reads the whole answer; never rejects, so callers that measure
 * endpoints (smoke tests, load) treat a dead server as a result rather than an exception.
 */
export function postJson(url: string, body: string, options: PostJsonOptions = {}): Promise<PostJsonResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: Omit<PostJsonResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs: performance.now() - started });
    };
    const outgoing = request(url, {
      method: 'POST',
      agent: options.agent ?? false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...options.headers },
    });
    const timer = setTimeout(() => {
      outgoing.destroy();
      settle({ status: 0, headers: {}, text: '', error: `no answer from ${url} within ${timeoutMs} ms` });
    }, timeoutMs);
    outgoing.on('response', (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () =>
        settle({ status: answer.statusCode ?? 0, headers: answer.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
      answer.on('error', (error) =>
        settle({ status: 0, headers: {}, text: '', error: `the answer from ${url} broke off: ${error.message}` }),
      );
    });
    outgoing.on('error', (error) => settle({ status: 0, headers: {}, text: '', error: `cannot reach ${url}: ${error.message}` }));
    outgoing.end(body);
  });
}
