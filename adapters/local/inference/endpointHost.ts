import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { EnvironmentName } from '../../../shared/config/schema';
import type { Logger } from '../../../shared/ports';
import { DeploymentMetricsRecorder, type DeploymentMetrics } from './deploymentMetrics';
import { forwardRequest, sendJson, sendMirror, type ForwardTarget } from './forwardRequest';
import { pickDeployment, pickMirrors } from './pickDeployment';

/** What the router needs to know about an endpoint, read afresh for every request. */
export interface EndpointRouting {
  traffic: Record<string, number>;
  mirrorTraffic: Record<string, number>;
  deployments: Record<string, { url: string | undefined; requestTimeoutMs: number }>;
}

/** An endpoint a workspace serves through the host. */
export interface RoutedEndpoint {
  readonly name: string;
  readonly environment: EnvironmentName;
  routing(): EndpointRouting;
}

export interface LocalEndpointHostOptions {
  /** Router port; 0 picks a free one. @default 7072 */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** Random numbers in [0, 1) for traffic splitting and mirroring. @default Math.random */
  rng?: () => number;
  logger?: Logger;
}

/**
 * The one router of all local online endpoints (every environment's): `POST
 * /endpoints/<name>/score` goes to a deployment by traffic weight, or to the one named
 * in the `azureml-model-deployment` header, and may be mirrored to shadow deployments.
 */
export class LocalEndpointHost {
  private readonly endpoints = new Map<string, RoutedEndpoint>();
  private readonly recorders = new Map<string, Map<string, DeploymentMetricsRecorder>>();
  // Keep-alive: a TCP handshake per scoring request would dominate small requests' latency.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 60_000 });
  private readonly rng: () => number;
  private server: Server | undefined;
  private boundPort: number | undefined;

  constructor(private readonly options: LocalEndpointHostOptions = {}) {
    this.rng = options.rng ?? Math.random;
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

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.agent.destroy();
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
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

  /** Per-deployment request metrics of an endpoint, as seen by the router. */
  metrics(endpoint: string): Record<string, DeploymentMetrics> {
    const recorders = this.recorders.get(endpoint) ?? new Map<string, DeploymentMetricsRecorder>();
    return Object.fromEntries([...recorders].map(([deployment, recorder]) => [deployment, recorder.snapshot()]));
  }

  private recorder(endpoint: string, deployment: string): DeploymentMetricsRecorder {
    let forEndpoint = this.recorders.get(endpoint);
    if (!forEndpoint) this.recorders.set(endpoint, (forEndpoint = new Map()));
    let recorder = forEndpoint.get(deployment);
    if (!recorder) forEndpoint.set(deployment, (recorder = new DeploymentMetricsRecorder()));
    return recorder;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://router').pathname;
    if (req.method === 'GET' && (path === '/endpoints' || path === '/endpoints/')) return this.list(res);
    const match = /^\/endpoints\/([^/]+)\/score\/?$/.exec(path);
    if (!match) return sendJson(res, 404, { error: `no route ${req.method} ${path}; score with POST /endpoints/<name>/score` });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'score with POST' });
    const name = decodeURIComponent(match[1]!);
    const endpoint = this.endpoints.get(name);
    if (!endpoint) return sendJson(res, 404, { error: `endpoint '${name}' not found` });
    const routing = endpoint.routing();

    const requested = req.headers['azureml-model-deployment'];
    const chosen = typeof requested === 'string' && requested ? requested : pickDeployment(routing.traffic, this.rng);
    if (!chosen) {
      req.resume();
      return sendJson(res, 503, { error: `endpoint '${name}': no deployment receives traffic; set its traffic or name a deployment in the azureml-model-deployment header` });
    }
    const deployment = routing.deployments[chosen];
    if (!deployment) {
      req.resume();
      return sendJson(res, 404, { error: `deployment '${chosen}' not found on endpoint '${name}' (deployments: ${Object.keys(routing.deployments).join(', ') || 'none'})` });
    }
    // Requests aimed at one deployment are not mirrored, as in Azure ML.
    const mirrors = requested ? [] : pickMirrors(routing.mirrorTraffic, chosen, this.rng);
    const chunks: Buffer[] = [];
    const target: ForwardTarget = { deployment: chosen, ...deployment };
    forwardRequest(
      req,
      res,
      target,
      this.agent,
      (status, latencyMs) => this.recorder(name, chosen).record(status, latencyMs, false),
      mirrors.length > 0 ? (chunk) => chunks.push(chunk) : undefined,
    );
    if (mirrors.length > 0) req.on('end', () => this.mirror(name, routing, mirrors, Buffer.concat(chunks), String(req.headers['content-type'] ?? 'application/json')));
  }

  private mirror(endpoint: string, routing: EndpointRouting, mirrors: string[], body: Buffer, contentType: string): void {
    for (const deployment of mirrors) {
      const settings = routing.deployments[deployment];
      if (!settings?.url) continue;
      const started = performance.now();
      void sendMirror({ deployment, ...settings, url: settings.url }, body, contentType, this.agent).then((status) =>
        this.recorder(endpoint, deployment).record(status, performance.now() - started, true),
      );
    }
  }

  private list(res: ServerResponse): void {
    sendJson(
      res,
      200,
      [...this.endpoints.values()].map((endpoint) => {
        const { traffic, mirrorTraffic } = endpoint.routing();
        return { name: endpoint.name, environment: endpoint.environment, scoringUri: this.scoringUri(endpoint.name), traffic, mirrorTraffic };
      }),
    );
  }
}
