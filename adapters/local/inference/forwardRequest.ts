import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { UpstreamPools } from './upstreamPools';
import { captureJsonBody, MAX_INSPECTED_BODY_BYTES } from './responseBody';
import type { RequestCopy } from './requestCopy';

export interface ForwardTarget {
  deployment: string;
  /** Base URL of the live scoring server; undefined while it is down or restarting. */
  url: string | undefined;
  requestTimeoutMs: number;
}

/**
 * What a request whose caller hung up before its answer is counted as (nginx's "client closed
 * request"): not a 5xx, so impatient or malicious callers cannot make a healthy deployment look
 * failing to the rollout signals. A deployment too slow for its callers shows in latency and 504s.
 */
export const CALLER_HUNG_UP = 499;

/** How one scoring request ended, as the caller saw it. */
export interface ForwardOutcome {
  status: number;
  latencyMs: number;
  /** The answer, when it was JSON under MAX_INSPECTED_BODY_BYTES (read after it was sent on). */
  body?: Buffer | undefined;
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
 * Sends a scoring request to a deployment and its answer back. Calls `done` once with the
 * status the caller got (502 when the server is unreachable, 504 after the deployment's
 * request timeout, CALLER_HUNG_UP when it left first), the latency and, for small JSON answers, a copy of the answer.
 * `copy` keeps the request body (for mirroring and collection).
 */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  target: ForwardTarget,
  upstreams: UpstreamPools,
  done: (outcome: ForwardOutcome) => void,
  copy?: RequestCopy,
): void {
  res.setHeader('azureml-model-deployment', target.deployment);
  const exchange = new Exchange(res, target, done);
  if (!target.url) {
    // Mirrors and the shadow still get their copy of a request the live deployment cannot take.
    if (copy) req.on('data', (chunk: Buffer) => copy.add(chunk));
    req.resume();
    sendJson(res, 502, { error: `deployment '${target.deployment}' is not serving right now (starting, restarting or failed)` });
    exchange.finish(502);
    return;
  }
  exchange.start(req, upstreams, copy);
}

/**
 * One forwarded request, from the caller's request to the outcome reported once (whichever of
 * answer, error or timeout comes first). It is undici's handler of the upstream exchange
 * (Dispatcher.dispatch): no response stream, promise or AbortController per request, which
 * together cost the router ~20 µs of its ~150 per request (bench §6). A class, not closures:
 * under tsx (the bench, the dev stack) every named closure costs a __name call per request.
 */
class Exchange implements Dispatcher.DispatchHandlers {
  private readonly started = performance.now();
  private finished = false;
  private timedOut = false;
  private callerGone = false;
  /** Set once the caller hung up or the time ran out: the upstream request is to be dropped. */
  private cancelled = false;
  /** The request has gone (or is streaming) upstream. */
  private sent = false;
  private upstreams: UpstreamPools | undefined;
  private headers: Record<string, string> = {};
  private timer: NodeJS.Timeout | undefined;
  private abortUpstream: ((error?: Error) => void) | undefined;
  private status = 502;
  private contentType = 'application/json';
  /** The answer so far while it is small enough to send whole (and to inspect); undefined once it is not. */
  private chunks: Buffer[] | undefined;
  private size = 0;
  /** Whether the answer streams to the caller as it comes (a large one): its headers have gone out. */
  private streaming = false;
  private json = false;
  /** Declared over the limit: passed through, not inspected. */
  private uninspected = false;
  private resume: (() => void) | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly target: ForwardTarget,
    private readonly done: (outcome: ForwardOutcome) => void,
  ) {}

  start(req: IncomingMessage, upstreams: UpstreamPools, copy: RequestCopy | undefined): void {
    this.upstreams = upstreams;
    this.headers = { 'content-type': String(req.headers['content-type'] ?? 'application/json') };
    if (req.headers['content-length']) this.headers['content-length'] = String(req.headers['content-length']);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.cancel();
      // Still reading a small request (its caller sent less than its content-length): nothing
      // went upstream to fail, so answer now, and close the connection the rest never comes on.
      if (!this.sent) {
        this.res.setHeader('connection', 'close');
        this.onError(new Error('request timeout'));
      }
    }, this.target.requestTimeoutMs);
    // A caller that hangs up must not leave the scoring request running.
    this.res.on('close', () => {
      if (this.res.writableFinished) return;
      this.callerGone = true;
      this.cancel();
      // Gone before its request was read: nothing was asked of the deployment, nothing to count.
      if (!this.sent) clearTimeout(this.timer);
    });
    // A small request is sent whole, in one write with its headers; a large one streams.
    if (Number(req.headers['content-length']) <= MAX_INSPECTED_BODY_BYTES) {
      const chunks: Buffer[] = [];
      // One listener feeds both: a second costs an emit and a closure per chunk.
      req.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        copy?.add(chunk);
      });
      req.on('end', () => this.send(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    } else {
      if (copy) req.on('data', (chunk: Buffer) => copy.add(chunk));
      // Through a PassThrough piped now: the request may already flow (to its copy), and undici
      // starts reading only once it has a connection; what flowed before would be lost to it.
      this.send(req.pipe(new PassThrough()));
    }
  }

  finish(status: number, body?: Buffer): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.done({ status, latencyMs: performance.now() - this.started, body });
  }

  private send(body: Buffer | Readable): void {
    if (this.finished || this.callerGone) return;
    this.sent = true;
    // The pool asked for now, not when the request came: one evicted meanwhile takes no new requests.
    const { pool, path } = this.upstreams!.of(this.target.url!);
    pool.dispatch({ path, method: 'POST', headers: this.headers, body }, this);
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.cancelled) abort(new Error('cancelled'));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null, resume: () => void): boolean {
    this.status = statusCode;
    this.resume = resume;
    let length: string | undefined;
    for (let i = 0; rawHeaders && i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i]!.toString().toLowerCase();
      if (name === 'content-type') this.contentType = rawHeaders[i + 1]!.toString();
      else if (name === 'content-length') length = rawHeaders[i + 1]!.toString();
    }
    this.json = /json/i.test(this.contentType);
    const declared = length === undefined ? undefined : Number(length);
    this.uninspected = declared !== undefined && declared > MAX_INSPECTED_BODY_BYTES;
    if (declared !== undefined && declared <= MAX_INSPECTED_BODY_BYTES) {
      // A small answer (any but a huge batch's) goes out whole, in one write with its headers:
      // piped, its end costs the router a write of its own.
      this.chunks = [];
      return true;
    }
    // The length passed on when the server gave one: without it the answer goes out chunked,
    // which costs the caller a parse and the router an extra write per request.
    this.streaming = true;
    this.res.writeHead(statusCode, { 'content-type': this.contentType, ...(length !== undefined ? { 'content-length': length } : {}) });
    // A large or unannounced answer is inspected only while it stays under the limit.
    this.chunks = this.json && declared === undefined ? [] : undefined;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.chunks) {
      this.size += chunk.length;
      if (this.streaming && this.size > MAX_INSPECTED_BODY_BYTES) this.chunks = undefined;
      else this.chunks.push(chunk);
    }
    if (!this.streaming) return true;
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.resume!);
    return false;
  }

  onComplete(): void {
    const chunks = this.chunks;
    const whole = chunks === undefined ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (this.streaming) this.res.end();
    else {
      this.res.writeHead(this.status, { 'content-type': this.contentType, 'content-length': whole!.length });
      this.res.end(whole);
    }
    // A scoring answer that is not JSON at all is read as empty: inspected, and malformed.
    this.finish(this.status, this.uninspected ? undefined : this.json ? whole : Buffer.alloc(0));
  }

  onError(error: Error): void {
    const { deployment, requestTimeoutMs } = this.target;
    if (this.streaming) {
      // Cut off mid-answer (timeout, server died, caller gone): the caller must not wait for the rest.
      this.res.destroy();
      this.finish(this.callerGone ? CALLER_HUNG_UP : this.timedOut ? 504 : 502);
    } else if (this.callerGone && !this.timedOut) {
      this.finish(CALLER_HUNG_UP);
    } else if (this.timedOut) {
      sendJson(this.res, 504, { error: `deployment '${deployment}' did not answer within ${requestTimeoutMs} ms (request_timeout_ms)` });
      this.finish(504);
    } else {
      sendJson(this.res, 502, { error: `deployment '${deployment}' is unreachable: ${error.message}` });
      this.finish(502);
    }
  }

  private cancel(): void {
    this.cancelled = true;
    this.abortUpstream?.(new Error(this.timedOut ? 'request timeout' : 'the caller hung up'));
  }
}

/** Sends a copy of a request to a deployment whose answer only the router looks at. */
export function sendMirror(target: ForwardTarget, body: Buffer, contentType: string, upstreams: UpstreamPools): Promise<ForwardOutcome> {
  const started = performance.now();
  const outcome = (status: number, answer?: Buffer): ForwardOutcome => ({ status, latencyMs: performance.now() - started, body: answer });
  const url = target.url;
  if (!url) return Promise.resolve(outcome(502));
  const { pool, path } = upstreams.of(url);
  const abort = new AbortController();
  let timedOut = false;
  // The whole exchange, as for live requests: a server that trickles its answer times out too.
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, target.requestTimeoutMs);
  return new Promise<ForwardOutcome>((resolve) => {
    pool
      .request({
        path,
        method: 'POST',
        headers: { 'content-type': contentType, 'content-length': String(body.length) },
        body,
        signal: abort.signal,
      })
      .then(
        (answer) => {
          const captured = captureJsonBody(answer.headers, answer.body);
          answer.body.resume();
          answer.body.on('end', () => resolve(outcome(answer.statusCode, captured())));
          answer.body.on('error', () => resolve(outcome(timedOut ? 504 : 502)));
        },
        () => resolve(outcome(timedOut ? 504 : 502)),
      );
  }).finally(() => clearTimeout(timer));
}
