import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UpstreamPools } from './upstreamPools';
import { AfterAnswers } from './afterAnswers';
import { predictionKey } from './aggregateTraffic';
import { forwardRequest, sendJson, sendMirror, type ForwardOutcome, type ForwardTarget } from './forwardRequest';
import { liveDeployment, pickDeployment, pickMirrors } from './pickDeployment';
import type { CollectionSink } from './routerControl';
import type { ScoredExchange } from '../../../shared/monitoring/toInferenceRecords';
import { readAnswerBody } from './responseBody';
import { RequestCopy } from './requestCopy';
import type { ScoringAnswer } from '../../../shared/scoring/scoringAnswer';
import type { ShadowTally } from './shadowTally';
import type { TrafficStore } from './trafficStore';
import type { EndpointRouting, RoutingEntry } from './endpointRouting';

/** Marks a request of the load generator: analysed like any other, never production data. */
export const SYNTHETIC_HEADER = 'x-autopilot-synthetic';
/** Names the deployment that must answer (Azure ML's header); such requests are never mirrored. */
export const DEPLOYMENT_HEADER = 'azureml-model-deployment';
/** The request id, taken from the caller or made up, and returned to it to upload labels for later. */
export const REQUEST_ID_HEADER = 'x-request-id';
/** The id Azure SDK clients send when the caller gives no `x-request-id`. */
export const CLIENT_REQUEST_ID_HEADER = 'x-ms-client-request-id';

export interface ScoringRouterDeps {
  endpoint(name: string): RoutingEntry | undefined;
  traffic: TrafficStore;
  /** The tally of the endpoint's current shadow setting. */
  shadowTally(endpoint: string): ShadowTally;
  upstreams: UpstreamPools;
  rng: () => number;
  /** Wall clock (ms) of collected records. */
  now: () => number;
  /** Collects live requests and answers for monitoring. @default none */
  collector?: CollectionSink | undefined;
  /** Told when recording an answer threw (a bug: the answer itself went out). @default ignored */
  onRecordError?: (error: unknown) => void;
}

/**
 * Routes one `POST /endpoints/<name>/score`: to the deployment named in the header or by
 * traffic weight; records what the caller got; copies live requests to mirror deployments
 * (Azure ML mirror traffic) and to the endpoint's shadow, comparing the shadow's answers.
 */
export class ScoringRouter {
  /** Recording, reading predictions, collecting and tallying wait until the answers are written. */
  private readonly afterAnswers: AfterAnswers;

  constructor(private readonly deps: ScoringRouterDeps) {
    this.afterAnswers = new AfterAnswers(deps.onRecordError);
  }

  /** Records the answers still waiting to be (see AfterAnswers); promise-chained work (collection, shadow tallies) follows in this microtask turn. */
  recordPending(): void {
    this.afterAnswers.flush();
  }

  score(name: string, req: IncomingMessage, res: ServerResponse): void {
    const requestId = requestIdOf(req);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const endpoint = this.deps.endpoint(name);
    if (!endpoint) return refuse(req, res, 404, `endpoint '${name}' not found`);
    const { routing } = endpoint;
    const requested = header(req, DEPLOYMENT_HEADER);
    const synthetic = header(req, SYNTHETIC_HEADER) === '1';
    const weighted = requested || pickDeployment(routing.traffic, this.deps.rng);
    if (!weighted) {
      return refuse(
        req,
        res,
        503,
        `endpoint '${name}': no deployment receives traffic; set its traffic or name a deployment in the ${DEPLOYMENT_HEADER} header`,
      );
    }
    // While the picked server restarts, a live one of the same endpoint answers (and is counted
    // as the one that answered); a caller that named a deployment gets that one or an error.
    // (Closures in this method are passed inline: under tsx a named one costs a __name call per request.)
    const chosen =
      requested || routing.deployments[weighted]?.url !== undefined
        ? weighted
        : liveDeployment(weighted, routing.traffic, Object.keys(routing.deployments), (n) => routing.deployments[n]?.url !== undefined);
    // Own keys only: a caller naming `toString` or `__proto__` must not reach Object.prototype.
    const deployment = Object.hasOwn(routing.deployments, chosen) ? routing.deployments[chosen] : undefined;
    if (!deployment) {
      return refuse(
        req,
        res,
        404,
        `deployment '${chosen}' not found on endpoint '${name}' (deployments: ${Object.keys(routing.deployments).join(', ') || 'none'})`,
      );
    }
    // Requests routed by weight are copied, synthetic ones included (they stand in for thin
    // live traffic); requests aimed at a deployment are not, as in Azure ML. Copies go to the
    // scoring servers directly, never through here, so no caller can pass a request off as one.
    const live = !requested;
    const mirrors = live ? pickMirrors(routing.mirrorTraffic, chosen, this.deps.rng) : [];
    const shadow = live && routing.shadow && this.deps.rng() * 100 < routing.shadow.percent ? routing.shadow : undefined;
    const copying = mirrors.length > 0 || shadow !== undefined;
    // Only what callers really sent: load and smoke tests are marked and left out. A deployment
    // whose spec sets data_collector.sampling_rate has that share collected, as Azure ML's collector does
    // (none when the spec turns every collection off: rng() < 0 never holds).
    const rate = deployment.collectionSamplingRate;
    const collector =
      !synthetic &&
      deployment.model &&
      this.deps.collector?.collects(endpoint.environment) &&
      (rate === undefined || this.deps.rng() < rate)
        ? this.deps.collector
        : undefined;
    // Collection alone keeps no more of a request than the router inspects of an answer.
    const copy = copying || collector ? new RequestCopy(copying) : undefined;
    let onLiveAnswer: ((answer: Answer) => void) | undefined;
    const liveAnswer = shadow ? new Promise<Answer>((resolve) => (onLiveAnswer = resolve)) : undefined;
    forwardRequest(
      req,
      res,
      { deployment: chosen, url: deployment.url, requestTimeoutMs: deployment.requestTimeoutMs },
      this.deps.upstreams,
      (outcome) =>
        this.afterAnswers.defer(() => {
          const answer = this.observe(name, chosen, outcome, { synthetic, mirrored: false });
          if (collector && copy)
            this.collectWhenRead(
              collector,
              req,
              copy,
              { requestId, endpoint: name, environment: endpoint.environment, deployment: chosen, model: deployment.model! },
              outcome,
              answer,
            );
          onLiveAnswer?.({ outcome, predictions: answer?.predictions });
        }),
      copy,
    );
    if (!copying || !copy) return;
    const contentType = String(req.headers['content-type'] ?? 'application/json');
    req.on('end', () => {
      const body = copy.body();
      for (const mirror of mirrors) void this.copyTo(name, mirror, routing.deployments[mirror], body, contentType);
      if (shadow && liveAnswer) {
        // Tally taken now: answers to a shadow replaced meanwhile must not count for the new one.
        const tally = this.deps.shadowTally(name);
        const target = this.deps.endpoint(shadow.endpoint)?.routing.deployments[shadow.deployment];
        const shadowAnswer = this.copyTo(shadow.endpoint, shadow.deployment, target, body, contentType);
        void Promise.all([liveAnswer, shadowAnswer]).then(([a, b]) =>
          tally.add(
            { status: a.outcome.status, predictions: a.predictions },
            { status: b.outcome.status, predictions: b.predictions },
            shadow.tolerance,
          ),
        );
      }
    });
  }

  /**
   * Collects a successful answer with its request (error answers are not collected), reusing the
   * answer as observe() read it. The answer has gone out by now, so collecting never delays it;
   * an answer that came before the whole request was read (rare) is collected once it has been.
   */
  private collectWhenRead(
    collector: CollectionSink,
    req: IncomingMessage,
    copy: RequestCopy,
    exchange: Pick<ScoredExchange, 'requestId' | 'endpoint' | 'environment' | 'deployment' | 'model'>,
    outcome: ForwardOutcome,
    answer: ScoringAnswer | undefined,
  ): void {
    if (outcome.status < 200 || outcome.status >= 300) return;
    const time = new Date(this.deps.now());
    if (req.readableEnded) collector.collect(scoredExchange(exchange, time, copy, outcome, answer));
    else req.once('end', () => collector.collect(scoredExchange(exchange, time, copy, outcome, answer)));
  }

  /** Sends a copy; it is recorded as a mirrored observation of its deployment, not as its traffic. */
  private async copyTo(
    endpoint: string,
    deployment: string,
    settings: EndpointRouting['deployments'][string] | undefined,
    body: Buffer,
    contentType: string,
  ): Promise<Answer> {
    const target: ForwardTarget = { deployment, url: settings?.url, requestTimeoutMs: settings?.requestTimeoutMs ?? 5000 };
    const outcome = await sendMirror(target, body, contentType, this.deps.upstreams);
    return {
      outcome,
      predictions: settings ? this.observe(endpoint, deployment, outcome, { synthetic: false, mirrored: true })?.predictions : undefined,
    };
  }

  /** Records one answer in the traffic store; returns it as read (parsed once, here, for the store, the shadow tally and collection). */
  private observe(
    endpoint: string,
    deployment: string,
    outcome: ForwardOutcome,
    flags: { synthetic: boolean; mirrored: boolean },
  ): ScoringAnswer | undefined {
    const ok = outcome.status >= 200 && outcome.status < 300;
    const answer = ok ? readAnswerBody(outcome.body) : undefined;
    const predictions = answer?.predictions;
    const first = predictions?.[0];
    this.deps.traffic.record(endpoint, deployment, {
      status: outcome.status,
      latencyMs: outcome.latencyMs,
      synthetic: flags.synthetic,
      mirrored: flags.mirrored,
      firstPrediction: first === undefined ? undefined : predictionKey(first),
      // An uninspected body (too large) is not judged; an inspected one must hold predictions.
      malformed: ok && outcome.body !== undefined && predictions === undefined,
    });
    return answer;
  }
}

/**
 * Field by field, not `{ ...exchange, time, ... }`: an object spread then extended is one of V8's
 * slow paths, ~5 µs per request here against ~0.2 µs for a literal (measured on Node 20).
 */
function scoredExchange(
  exchange: Pick<ScoredExchange, 'requestId' | 'endpoint' | 'environment' | 'deployment' | 'model'>,
  time: Date,
  copy: RequestCopy,
  outcome: ForwardOutcome,
  answer: ScoringAnswer | undefined,
): ScoredExchange {
  return {
    requestId: exchange.requestId,
    endpoint: exchange.endpoint,
    environment: exchange.environment,
    deployment: exchange.deployment,
    model: exchange.model,
    time,
    latencyMs: outcome.latencyMs,
    request: copy.tooLarge ? undefined : copy.body(),
    answer: outcome.body,
    readAnswer: answer,
  };
}

/** An answer and its predictions, parsed once for the traffic store and the shadow tally. */
interface Answer {
  outcome: ForwardOutcome;
  predictions: unknown[] | undefined;
}

/** The caller's request id when it is a sane header value, else a new one. */
function requestIdOf(req: IncomingMessage): string {
  const given = header(req, REQUEST_ID_HEADER) ?? header(req, CLIENT_REQUEST_ID_HEADER);
  return given && /^[\x21-\x7e]{1,200}$/.test(given) ? given : randomUUID();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value ? value : undefined;
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string): void {
  req.resume();
  sendJson(res, status, { error });
}
