import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyBlobWrite, type ClassifiedBlobWrite } from './classifyBlobWrite';
import { PortInUseError } from './errors';
import type { HostLogger } from './logger';
import { ensureError } from '../shared/errors';

export interface ObservedBlobWrite extends ClassifiedBlobWrite {
  status: number;
  requestHeaders: IncomingHttpHeaders;
  responseHeaders: IncomingHttpHeaders;
}

export interface BlobProxyOptions {
  /** Port clients use (Azurite's public blob port). 0 = a free port. */
  port: number;
  /** Azurite's blob service, on an internal port. */
  targetPort: number;
  /** Called as soon as the response headers of a successful Put Blob / Put Block List / Copy Blob arrive. */
  onBlobWritten: (write: ObservedBlobWrite) => void;
  logger: HostLogger;
  /** @default 127.0.0.1 */
  host?: string;
}

export interface RunningBlobProxy {
  readonly port: number;
  close(): Promise<void>;
}

/** Hop-by-hop headers belong to one connection and must not be forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
]);

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

function forwardableRaw(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

/**
 * A thin streaming proxy in front of Azurite's blob service. Storage emits BlobCreated
 * where the write succeeds, and Azurite emits nothing, so we watch the writes here:
 * bodies stream both ways untouched (any size), and successful writes are reported.
 */
export function startBlobProxy(options: BlobProxyOptions): Promise<RunningBlobProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const targetHost = '127.0.0.1';
  const server: Server = createServer((req, res) => {
    const write = classifyBlobWrite(req.method ?? 'GET', req.url ?? '/', req.headers);
    const upstream = request(
      { host: targetHost, port: options.targetPort, method: req.method, path: req.url, headers: forwardable(req.headers), agent },
      (upstreamRes) => {
        const status = upstreamRes.statusCode ?? 502;
        res.writeHead(status, upstreamRes.statusMessage, forwardableRaw(upstreamRes.rawHeaders));
        upstreamRes.pipe(res);
        if (write && status >= 200 && status < 300) {
          try {
            options.onBlobWritten({ ...write, status, requestHeaders: req.headers, responseHeaders: upstreamRes.headers });
          } catch (error) {
            options.logger.error(`Blob event hook failed for ${write.container}/${write.blobName}: ${ensureError(error).message}`);
          }
        }
      },
    );
    upstream.on('error', (error) => {
      options.logger.warn(`Blob proxy could not reach Azurite on port ${options.targetPort}: ${error.message}`);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`Azurite blob service unreachable: ${error.message}`);
      } else res.destroy(error);
    });
    req.on('aborted', () => upstream.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(options.port, 'Azurite blob service (event proxy)', '--blob-port') : error);
    server.once('error', fail);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', fail);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
            agent.destroy();
          }),
      });
    });
  });
}
