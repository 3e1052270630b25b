import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { EnvironmentName } from '../../../shared/config/schema';
import type { InvokeResult, Logger, ScoreRequest, ShadowReport, TrafficWindow } from '../../../shared/ports';
import type { DeploymentMetrics } from './deploymentMetrics';
import { sendJson } from './forwardRequest';
import type { CollectionCounters, InferenceCollector } from './inferenceCollector';
import { LoadGenerator } from '../../load/loadGenerator';
import type { LoadSettings } from '../../load/loadSettings';
import { postJson } from './postJson';
import { DEPLOYMENT_HEADER, ScoringRouter, SYNTHETIC_HEADER } from './scoringRouter';
import { ShadowTally } from './shadowTally';
import type { LoadStatus } from '../../load/syntheticLoad';
import { TrafficStore } from './trafficStore';
import type { EndpointRouting, RoutedEndpoint } from './endpointRouting';

// In ./endpointRouting.ts so ./scoringRouter.ts can name them without importing the host (an import cycle).
export type { EndpointRouting, RoutedEndpoint, ShadowRouting } from './endpointRouting';

export interface LocalEndpointHostOptions {
  /** Router port; 0 picks a free one. @default 7072 */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** Random numbers in [0, 1) for traffic splitting, mirroring and shadowing. @default Math.random */
  rng?: () => number;
  /** Wall clock (ms) of observations and loads. @default Date.now */
  now?: () => number;
  logger?: Logger;
  /** Collects live requests of (by default) staging and prod endpoints; stopped with the host. @default none */
  collector?: InferenceCollector;
}

/** A request invokeEndpoint() or the load generator sends gives up after this long (status 0). */
const CLIENT_TIMEOUT_MS = 60_000;

/**
 * The one router of all local online endpoints (every environment's): `POST
 * /endpoints/<name>/score` goes to a deployment by traffic weight, or to the one named
 * in the `azureml-model-deployment` header, may be mirrored or shadowed, and is recorded
 * for analysis. It also runs the synthetic loads, which it measures like any caller.
 */
export class LocalEndpointHost {
  private readonly endpoints = new Map<string, RoutedEndpoint>();
  private readonly traffic: TrafficStore;
  private readonly shadows = new Map<string, ShadowTally>();
  // Keep-alive: a TCP handshake per scoring request would dominate small requests' latency.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 60_000 });
  /** Our own calls into the router (invokeEndpoint, loads), apart from its calls to scoring servers. */
  private readonly clientAgent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 60_000 });
  private readonly router: ScoringRouter;
  private readonly loads: LoadGenerator;
  private server: Server | undefined;
  private boundPort: number | undefined;

  constructor(private readonly options: LocalEndpointHostOptions = {}) {
    this.traffic = new TrafficStore(options.now ? { now: options.now } : {});
    this.router = new ScoringRouter({
      endpoint: (name) => this.endpoints.get(name),
      traffic: this.traffic,
      shadowTally: (endpoint) => this.shadowTally(endpoint),
      agent: this.agent,
      rng: options.rng ?? Math.random,
      now: options.now ?? Date.now,
      collector: options.collector,
      onRecordError: (error) =>
        options.logger?.error('recording a scoring request failed (the caller got its answer)', {
          error: error instanceof Error ? error.message : String(error),
        }),
    });
    this.loads = new LoadGenerator(async (endpoint, deployment, body) => {
      const answer = await this.post(endpoint, body, {
        [SYNTHETIC_HEADER]: '1',
        ...(deployment ? { [DEPLOYMENT_HEADER]: deployment } : {}),
      });
      const answeredBy = answer.headers[DEPLOYMENT_HEADER];
      return { status: answer.status, deployment: typeof answeredBy === 'string' ? answeredBy : undefined };
    }, options.now);
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 7072, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : undefined;
  }

  /** Stops serving, then writes the inference data still buffered. */
  async stop(): Promise<void> {
    this.loads.stopAll();
    const server = this.server;
    this.server = undefined;
    this.agent.destroy();
    this.clientAgent.destroy();
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
    if (port === 0) throw new Error('LocalEndpointHost: the port is known once start() has resolved');
    return port;
  }

  scoringUri(endpoint: string): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}/endpoints/${endpoint}/score`;
  }

  /** The environment serving an endpoint name, if any (names are unique across environments). */
  owner(name: string): EnvironmentName | undefined {
    return this.endpoints.get(name)?.environment;
  }

  /** The current routing of any environment's endpoint (e.g. to check a shadow target exists). */
  routingOf(name: string): EndpointRouting | undefined {
    return this.endpoints.get(name)?.routing();
  }

  register(endpoint: RoutedEndpoint): void {
    const current = this.endpoints.get(endpoint.name);
    if (current && current.environment !== endpoint.environment) {
      throw new Error(`endpoint '${endpoint.name}' is already served by environment ${current.environment}`);
    }
    this.endpoints.set(endpoint.name, endpoint);
  }

  unregister(name: string, environment: EnvironmentName): void {
    if (this.endpoints.get(name)?.environment === environment) this.endpoints.delete(name);
  }

  /** Per-deployment request counters of an endpoint since the host started (mirrored copies included). */
  metrics(endpoint: string): Record<string, DeploymentMetrics> {
    this.router.recordPending();
    return this.traffic.metrics(endpoint);
  }

  /**
   * What each deployment of an endpoint served after `since` (mirrored and shadow copies
   * left out); deployments the endpoint has now appear with zero counts when idle.
   */
  trafficSince(endpoint: string, since: string, slowThresholdsMs: readonly number[]): TrafficWindow {
    this.router.recordPending();
    return this.traffic.trafficSince(endpoint, since, slowThresholdsMs, Object.keys(this.routingOf(endpoint)?.deployments ?? {}));
  }

  /** Inference data collection counters, in total and per endpoint; undefined without a collector. */
  collectionStats(): { total: CollectionCounters; byEndpoint: Record<string, Omit<CollectionCounters, 'buffered'>> } | undefined {
    this.router.recordPending();
    return this.options.collector?.stats();
  }

  /** Writes the inference data buffered so far (e.g. before a workspace stops), waiting at most the collector's stop timeout; never throws. */
  async flushCollected(): Promise<void> {
    this.router.recordPending();
    await Promise.resolve(); // the collection chained on the answers just recorded
    await this.options.collector?.flushWithin();
  }

  /** Starts a new tally for the endpoint's shadow (called whenever its shadow is set). */
  resetShadow(endpoint: string): void {
    this.shadows.set(endpoint, new ShadowTally());
  }

  shadowReport(endpoint: string): ShadowReport {
    this.router.recordPending();
    return this.shadowTally(endpoint).report();
  }

  /** One scoring request through the router, measured like any other; never throws for HTTP failures. */
  async invoke(endpoint: string, request: ScoreRequest, options: { deployment?: string; synthetic?: boolean } = {}): Promise<InvokeResult> {
    const headers: Record<string, string> = {};
    if (options.deployment) headers[DEPLOYMENT_HEADER] = options.deployment;
    if (options.synthetic) headers[SYNTHETIC_HEADER] = '1';
    const answer = await this.post(endpoint, JSON.stringify(request), headers);
    const result: InvokeResult = {
      status: answer.status,
      latencyMs: answer.latencyMs,
      body: answer.error ? { error: answer.error } : parseBody(answer.text),
    };
    const deployment = answer.headers[DEPLOYMENT_HEADER];
    if (typeof deployment === 'string') result.deployment = deployment;
    return result;
  }

  /** Starts or updates a synthetic load; `key` keeps environments' load ids apart. */
  ensureLoad(key: string, settings: LoadSettings): LoadStatus {
    return this.loads.ensure(key, settings);
  }
  stopLoad(key: string): void {
    this.loads.stop(key);
  }
  stopLoads(keyPrefix: string): void {
    this.loads.stopAll(keyPrefix);
  }
  loadStatus(key: string): LoadStatus | undefined {
    return this.loads.status(key);
  }

  private post(endpoint: string, body: string, headers: Record<string, string>) {
    return postJson(this.scoringUri(encodeURIComponent(endpoint)), body, {
      headers,
      agent: this.clientAgent,
      timeoutMs: CLIENT_TIMEOUT_MS,
    });
  }

  private shadowTally(endpoint: string): ShadowTally {
    let tally = this.shadows.get(endpoint);
    if (!tally) this.shadows.set(endpoint, (tally = new ShadowTally()));
    return tally;
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
      [...this.endpoints.values()].map((endpoint) => {
        const { traffic, mirrorTraffic, shadow } = endpoint.routing();
        return {
          name: endpoint.name,
          environment: endpoint.environment,
          scoringUri: this.scoringUri(endpoint.name),
          traffic,
          mirrorTraffic,
          ...(shadow ? { shadow } : {}),
        };
      }),
    );
  }
}

/** A plain path: nothing a URL parser would read differently (dot segments, percent escapes, backslashes, a leading //, a fragment). */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-_~!$&'()*+,;=:@/]*(?=\?|$)/;

/** The request's path without its query: read off a plain path as is (a URL object per request is the router's cost), parsed otherwise. */
function pathOf(url: string): string {
  return PLAIN_PATH.exec(url)?.[0] ?? new URL(url, 'http://router').pathname;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
