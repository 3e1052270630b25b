import { ensureError } from '../../../shared/errors';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger, ShadowReport, TrafficWindow } from '../../../shared/ports';
import type { DeploymentMetrics } from './deploymentMetrics';
import type { RoutingEntry } from './endpointRouting';
import { sendJson } from './forwardRequest';
import type { CollectionSink, CollectionStats, RouterControl } from './routerControl';
import { ScoringRouter } from './scoringRouter';
import { ShadowTally } from './shadowTally';
import { TrafficStore } from './trafficStore';
import { UpstreamPools } from './upstreamPools';

export interface RouterCoreOptions {
  /** Router port; 0 picks a free one. @default 7072 */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** Random numbers in [0, 1) for traffic splitting, mirroring and shadowing. @default Math.random */
  rng?: () => number;
  /** Wall clock (ms) of observations. @default Date.now */
  now?: () => number;
  logger?: Logger;
  /** Collects live requests of (by default) staging and prod endpoints; stopped with the router. @default none */
  collector?: CollectionSink;
}

/**
 * The router itself, in whatever process runs it: the HTTP server of `POST
 * /endpoints/<name>/score`, the routing it was last told, and what it observed (traffic,
 * shadow tallies, collected inference data). It reads no workspace state: the host pushes it.
 */
export class RouterCore implements RouterControl {
  private readonly endpoints = new Map<string, RoutingEntry>();
  private readonly traffic: TrafficStore;
  private readonly shadows = new Map<string, ShadowTally>();
  // Keep-alive: a TCP handshake per scoring request would dominate small requests' latency.
  private readonly upstreams = new UpstreamPools();
  private readonly router: ScoringRouter;
  private server: Server | undefined;
  private boundPort: number | undefined;

  constructor(private readonly options: RouterCoreOptions = {}) {
    this.traffic = new TrafficStore(options.now ? { now: options.now } : {});
    this.router = new ScoringRouter({
      endpoint: (name) => this.endpoints.get(name),
      traffic: this.traffic,
      shadowTally: (endpoint) => this.shadowTally(endpoint),
      upstreams: this.upstreams,
      rng: options.rng ?? Math.random,
      now: options.now ?? Date.now,
      collector: options.collector,
      onRecordError: (error) =>
        options.logger?.error('recording a scoring request failed (the caller got its answer)', {
          error: ensureError(error).message,
        }),
    });
  }

  async start(): Promise<number> {
    if (!this.server) {
      const server = createServer((req, res) => this.handle(req, res));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port ?? 7072, this.options.host ?? '127.0.0.1', () => resolve());
      });
      this.server = server;
      const address = server.address();
      this.boundPort = typeof address === 'object' && address ? address.port : undefined;
    }
    return this.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await this.upstreams.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.router.recordPending();
    await Promise.resolve(); // the collection chained on the answers just recorded
    await this.options.collector?.stop();
  }

  get port(): number {
    const port = this.boundPort ?? this.options.port ?? 7072;
    if (port === 0) throw new Error('the router port is known once start() has resolved');
    return port;
  }

  async setEndpoint(entry: RoutingEntry): Promise<void> {
    this.endpoints.set(entry.name, entry);
  }

  async removeEndpoint(name: string): Promise<void> {
    this.endpoints.delete(name);
  }

  async resetShadow(endpoint: string): Promise<void> {
    this.shadows.set(endpoint, new ShadowTally());
  }

  async metrics(endpoint: string): Promise<Record<string, DeploymentMetrics>> {
    this.router.recordPending();
    return this.traffic.metrics(endpoint);
  }

  async trafficSince(endpoint: string, since: string, slowThresholdsMs: readonly number[]): Promise<TrafficWindow> {
    this.router.recordPending();
    return this.traffic.trafficSince(
      endpoint,
      since,
      slowThresholdsMs,
      Object.keys(this.endpoints.get(endpoint)?.routing.deployments ?? {}),
    );
  }

  async shadowReport(endpoint: string): Promise<ShadowReport> {
    this.router.recordPending();
    await Promise.resolve(); // tallies are chained on the answers just recorded
    return this.shadowTally(endpoint).report();
  }

  async collectionStats(): Promise<CollectionStats | undefined> {
    this.router.recordPending();
    return this.options.collector?.stats?.();
  }

  async flushCollected(): Promise<void> {
    this.router.recordPending();
    await Promise.resolve(); // the collection chained on the answers just recorded
    await this.options.collector?.flushWithin();
  }

  private shadowTally(endpoint: string): ShadowTally {
    let tally = this.shadows.get(endpoint);
    if (!tally) this.shadows.set(endpoint, (tally = new ShadowTally()));
    return tally;
  }

  private scoringUri(endpoint: string): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}/endpoints/${endpoint}/score`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = pathOf(req.url ?? '/');
    if (req.method === 'GET' && (path === '/endpoints' || path === '/endpoints/')) return this.list(res);
    const match = /^\/endpoints\/([^/]+)\/score\/?$/.exec(path);
    if (!match) return sendJson(res, 404, { error: `no route ${req.method} ${path}; score with POST /endpoints/<name>/score` });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'score with POST' });
    let name: string;
    try {
      name = decodeURIComponent(match[1]!);
    } catch {
      return sendJson(res, 400, { error: `malformed endpoint name in ${path}` });
    }
    this.router.score(name, req, res);
  }

  private list(res: ServerResponse): void {
    sendJson(
      res,
      200,
      [...this.endpoints.values()].map(({ name, environment, routing: { traffic, mirrorTraffic, shadow } }) => ({
        name,
        environment,
        scoringUri: this.scoringUri(name),
        traffic,
        mirrorTraffic,
        ...(shadow ? { shadow } : {}),
      })),
    );
  }
}

/** A plain path: nothing a URL parser would read differently (dot segments, percent escapes, backslashes, a leading //, a fragment). */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-_~!$&'()*+,;=:@/]*(?=\?|$)/;

/** The request's path without its query: read off a plain path as is (a URL object per request is the router's cost), parsed otherwise. */
function pathOf(url: string): string {
  return PLAIN_PATH.exec(url)?.[0] ?? new URL(url, 'http://router').pathname;
}
