import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
import { predictionKey } from './aggregateTraffic';
import { forwardRequest, sendJson, sendMirror, SHADOW_HEADER, type ForwardOutcome, type ForwardTarget } from './forwardRequest';
import { pickDeployment, pickMirrors } from './pickDeployment';
import { readPredictions } from './responseBody';
import type { ShadowTally } from './shadowTally';
import type { TrafficStore } from './trafficStore';
import type { EndpointRouting, RoutedEndpoint } from './endpointHost';

/** Marks a request of the load generator: analysed like any other, never production data. */
export const SYNTHETIC_HEADER = 'x-autopilot-synthetic';
/** Names the deployment that must answer (Azure ML's header); such requests are never mirrored. */
export const DEPLOYMENT_HEADER = 'azureml-model-deployment';

export interface ScoringRouterDeps {
  endpoint(name: string): RoutedEndpoint | undefined;
  traffic: TrafficStore;
  /** The tally of the endpoint's current shadow setting. */
  shadowTally(endpoint: string): ShadowTally;
  agent: Agent;
  rng: () => number;
}

/**
 * Routes one `POST /endpoints/<name>/score`: to the deployment named in the header or by
 * traffic weight; records what the caller got; copies live requests to mirror deployments
 * (Azure ML mirror traffic) and to the endpoint's shadow, comparing the shadow's answers.
 */
export class ScoringRouter {
  constructor(private readonly deps: ScoringRouterDeps) {}

  score(name: string, req: IncomingMessage, res: ServerResponse): void {
    const endpoint = this.deps.endpoint(name);
    if (!endpoint) return refuse(req, res, 404, `endpoint '${name}' not found`);
    const routing = endpoint.routing();
    const requested = header(req, DEPLOYMENT_HEADER);
    const synthetic = header(req, SYNTHETIC_HEADER) === '1';
    const copy = header(req, SHADOW_HEADER) === '1';
    const chosen = requested || pickDeployment(routing.traffic, this.deps.rng);
    if (!chosen) {
      return refuse(req, res, 503, `endpoint '${name}': no deployment receives traffic; set its traffic or name a deployment in the ${DEPLOYMENT_HEADER} header`);
    }
    const deployment = routing.deployments[chosen];
    if (!deployment) {
      return refuse(req, res, 404, `deployment '${chosen}' not found on endpoint '${name}' (deployments: ${Object.keys(routing.deployments).join(', ') || 'none'})`);
    }
    // Requests routed by weight are copied, synthetic ones included (they stand in for thin
    // live traffic); requests aimed at a deployment or already copies are not, as in Azure ML.
    const live = !requested && !copy;
    const mirrors = live ? pickMirrors(routing.mirrorTraffic, chosen, this.deps.rng) : [];
    const shadow = live && routing.shadow && this.deps.rng() * 100 < routing.shadow.percent ? routing.shadow : undefined;
    const copying = mirrors.length > 0 || shadow !== undefined;

    const chunks: Buffer[] = [];
    let onLiveAnswer: (outcome: ForwardOutcome) => void = () => {};
    const liveAnswer = new Promise<ForwardOutcome>((resolve) => (onLiveAnswer = resolve));
    forwardRequest(
      req,
      res,
      { deployment: chosen, ...deployment },
      this.deps.agent,
      (outcome) => {
        this.observe(name, chosen, outcome, { synthetic, mirrored: copy });
        onLiveAnswer(outcome);
      },
      copying ? (chunk) => chunks.push(chunk) : undefined,
    );
    if (!copying) return;
    const contentType = String(req.headers['content-type'] ?? 'application/json');
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      for (const mirror of mirrors) this.copyTo(name, mirror, routing.deployments[mirror], body, contentType);
      if (shadow) {
        // Tally taken now: answers to a shadow replaced meanwhile must not count for the new one.
        const tally = this.deps.shadowTally(name);
        const target = this.deps.endpoint(shadow.endpoint)?.routing().deployments[shadow.deployment];
        const shadowAnswer = this.copyTo(shadow.endpoint, shadow.deployment, target, body, contentType);
        void Promise.all([liveAnswer, shadowAnswer]).then(([a, b]) =>
          tally.add({ status: a.status, predictions: readPredictions(a.body) }, { status: b.status, predictions: readPredictions(b.body) }),
        );
      }
    });
  }

  /** Sends a copy; it is recorded as a mirrored observation of its deployment, not as its traffic. */
  private async copyTo(endpoint: string, deployment: string, settings: EndpointRouting['deployments'][string] | undefined, body: Buffer, contentType: string): Promise<ForwardOutcome> {
    const target: ForwardTarget = { deployment, url: settings?.url, requestTimeoutMs: settings?.requestTimeoutMs ?? 5000 };
    const outcome = await sendMirror(target, body, contentType, this.deps.agent);
    if (settings) this.observe(endpoint, deployment, outcome, { synthetic: false, mirrored: true });
    return outcome;
  }

  private observe(endpoint: string, deployment: string, outcome: ForwardOutcome, flags: { synthetic: boolean; mirrored: boolean }): void {
    const ok = outcome.status >= 200 && outcome.status < 300;
    const predictions = ok ? readPredictions(outcome.body) : undefined;
    const first = predictions?.[0];
    this.deps.traffic.record(endpoint, deployment, {
      status: outcome.status,
      latencyMs: outcome.latencyMs,
      ...flags,
      firstPrediction: first === undefined ? undefined : predictionKey(first),
      // An uninspected body (too large) is not judged; an inspected one must hold predictions.
      malformed: ok && outcome.body !== undefined && predictions === undefined,
    });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value ? value : undefined;
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string): void {
  req.resume();
  sendJson(res, status, { error });
}
