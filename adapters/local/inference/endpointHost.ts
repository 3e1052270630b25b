import { ensureError } from '../../../shared/errors';
import { Agent } from 'node:http';
import type { EnvironmentName } from '../../../shared/config/schema';
import type { InvokeResult, Logger, ScoreRequest, ShadowReport, TrafficWindow } from '../../../shared/ports';
import type { DeploymentMetrics } from './deploymentMetrics';
import { ForkedRouter } from './forkedRouter';
import type { CollectWhenIdleOptions } from './collectWhenIdle';
import type { InferenceCollector } from './inferenceCollector';
import { LoadGenerator } from '../../load/loadGenerator';
import type { LoadSettings } from '../../load/loadSettings';
import { postJson } from './postJson';
import type { CollectionStats, RouterControl } from './routerControl';
import { RouterCore } from './routerCore';
import { DEPLOYMENT_HEADER, SYNTHETIC_HEADER } from './scoringRouter';
import type { LoadStatus } from '../../load/syntheticLoad';
import { checkTrafficQuery } from './trafficStore';
import type { EndpointRouting, RoutedEndpoint, RoutingEntry } from './endpointRouting';

// In ./endpointRouting.ts so ./scoringRouter.ts can name them without importing the host (an import cycle).
export type { EndpointRouting, RoutedEndpoint, ShadowRouting } from './endpointRouting';

export interface LocalEndpointHostOptions {
  /** Router port; 0 picks a free one. @default 7072 */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  logger?: Logger;
  /**
   * Runs the router in a process of its own (the stack's choice: routing costs less there, see
   * ./routerProcess.ts); without it the router runs in this process, where `rng` and `now` can
   * be given (tests that hold time). @default false
   */
  ownProcess?: boolean;
  /** With `ownProcess`: a call the router has not answered by then fails (a stuck router must not hang the control plane). @default 60_000 */
  routerCallTimeoutMs?: number;
  /** Random numbers in [0, 1) for traffic splitting, mirroring and shadowing (in this process only). @default Math.random */
  rng?: () => number;
  /** Wall clock (ms) of observations and loads (in this process only). @default Date.now */
  now?: () => number;
  /** Collects live requests of (by default) staging and prod endpoints, in this process wherever the router runs; stopped with the host. @default none */
  collector?: InferenceCollector;
  /** With `ownProcess`: when the collector gets the live requests (they wait while the CPUs are busy). @default CollectWhenIdle's */
  collectWhenIdle?: CollectWhenIdleOptions;
}

/** A request invokeEndpoint() or the load generator sends gives up after this long (status 0). */
const CLIENT_TIMEOUT_MS = 60_000;

/**
 * The one router of all local online endpoints (every environment's): `POST
 * /endpoints/<name>/score` goes to a deployment by traffic weight, or to the one named
 * in the `azureml-model-deployment` header, may be mirrored or shadowed, and is recorded
 * for analysis (./routerCore.ts, in a process of its own or this one). The host keeps the
 * workspaces' endpoints and pushes their routing to the router whenever a workspace says it
 * changed; it also runs the synthetic loads, which it measures like any caller.
 */
export class LocalEndpointHost {
  private readonly endpoints = new Map<string, RoutedEndpoint>();
  /** Our own calls into the router (invokeEndpoint, loads). */
  private readonly clientAgent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 60_000 });
  private readonly router: RouterControl;
  private readonly forked: ForkedRouter | undefined;
  private readonly loads: LoadGenerator;
  private boundPort: number | undefined;

  constructor(private readonly options: LocalEndpointHostOptions = {}) {
    const port = options.port ?? 7072;
    const host = options.host ?? '127.0.0.1';
    const { ownProcess, rng, now, collector } = options;
    if (ownProcess) {
      if (rng || now) throw new Error('LocalEndpointHost: rng and now cannot be given to a router in a process of its own');
      this.router = this.forked = new ForkedRouter({
        port,
        host,
        ...(collector ? { collector } : {}),
        ...(options.collectWhenIdle ? { collectWhenIdle: options.collectWhenIdle } : {}),
        ...(options.routerCallTimeoutMs ? { callTimeoutMs: options.routerCallTimeoutMs } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        endpoints: () => [...this.endpoints.keys()].map((name) => this.entryOf(name)!),
      });
    } else {
      this.router = new RouterCore({
        port,
        host,
        ...(rng ? { rng } : {}),
        ...(now ? { now } : {}),
        ...(collector ? { collector } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      });
    }
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
    this.boundPort ??= await this.router.start();
  }

  /** Stops serving, then writes the inference data still buffered. */
  async stop(): Promise<void> {
    this.loads.stopAll();
    this.clientAgent.destroy();
    await this.router.stop();
  }

  get port(): number {
    const port = this.boundPort ?? this.options.port ?? 7072;
    if (port === 0) throw new Error('LocalEndpointHost: the port is known once start() has resolved');
    return port;
  }

  /** The router's process id when it runs in a process of its own. */
  get routerPid(): number | undefined {
    return this.forked?.pid;
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

  /** Serves an endpoint; its routing is pushed now and whenever routingChanged() is called. */
  register(endpoint: RoutedEndpoint): void {
    const current = this.endpoints.get(endpoint.name);
    if (current && current.environment !== endpoint.environment) {
      throw new Error(`endpoint '${endpoint.name}' is already served by environment ${current.environment}`);
    }
    this.endpoints.set(endpoint.name, endpoint);
    this.routingChanged(endpoint.name).catch((error: unknown) => this.pushFailed(endpoint.name, error));
  }

  unregister(name: string, environment: EnvironmentName): void {
    if (this.endpoints.get(name)?.environment !== environment) return;
    this.endpoints.delete(name);
    this.router.removeEndpoint(name).catch((error: unknown) => this.pushFailed(name, error));
  }

  /**
   * Tells the router the endpoint's current routing (traffic, deployments and their servers,
   * mirror, shadow); resolves once requests are routed by it. Workspaces call it after every
   * change, and when a scoring server goes down or comes back.
   */
  async routingChanged(name: string): Promise<void> {
    const entry = this.entryOf(name);
    if (entry) await this.router.setEndpoint(entry);
  }

  /** Per-deployment request counters of an endpoint since the router started (mirrored copies included). */
  metrics(endpoint: string): Promise<Record<string, DeploymentMetrics>> {
    return this.router.metrics(endpoint);
  }

  /**
   * What each deployment of an endpoint served after `since` (mirrored and shadow copies
   * left out); deployments the endpoint has now appear with zero counts when idle.
   */
  async trafficSince(endpoint: string, since: string, slowThresholdsMs: readonly number[]): Promise<TrafficWindow> {
    checkTrafficQuery(since, slowThresholdsMs);
    return this.router.trafficSince(endpoint, since, slowThresholdsMs);
  }

  /** Inference data collection counters, in total and per endpoint; undefined without a collector. */
  collectionStats(): Promise<CollectionStats | undefined> {
    return this.router.collectionStats();
  }

  /** Writes the inference data buffered so far (e.g. before a workspace stops), waiting at most the collector's stop timeout; never throws. */
  async flushCollected(): Promise<void> {
    await this.router
      .flushCollected()
      .catch((error: unknown) => this.options.logger?.warn('inference data could not be flushed', { error: ensureError(error).message }));
  }

  /** Starts a new tally for the endpoint's shadow (called whenever its shadow is set). */
  resetShadow(endpoint: string): Promise<void> {
    return this.router.resetShadow(endpoint);
  }

  shadowReport(endpoint: string): Promise<ShadowReport> {
    return this.router.shadowReport(endpoint);
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

  /** What the router is told of an endpoint: a copy of its routing (the router sees only what is pushed, in this process as in its own). */
  private entryOf(name: string): RoutingEntry | undefined {
    const endpoint = this.endpoints.get(name);
    return endpoint && { name, environment: endpoint.environment, routing: structuredClone(endpoint.routing()) };
  }

  private pushFailed(name: string, error: unknown): void {
    this.options.logger?.error(`the router was not told of endpoint '${name}'`, {
      error: ensureError(error).message,
    });
  }
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
