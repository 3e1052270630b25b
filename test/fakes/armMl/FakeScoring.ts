import { createServer, type Server } from 'node:https';
import { randomBytes } from 'node:crypto';
import { closeServer } from '../closeServer';
import { listenLocally } from '../listenLocally';

/** What the scorer needs to know about an endpoint: its ARM id, live split and each deployment's model. */
export interface ScoringView {
  id: string;
  traffic: Record<string, number>;
  models: Record<string, string>;
  /** Per deployment, the data collector's enabled collections (request, response, model_inputs...). */
  collecting?: Record<string, string[]>;
}
export interface ScoringCall {
  endpoint: string;
  authorization?: string;
  deployment?: string;
  synthetic?: string;
  status: number;
  at: number;
  /** The request's path and query, as the data collector's request event keeps it. */
  path: string;
  /** The request body and the answer (answered calls), what the data collector's payload logging keeps. */
  request?: string;
  answer?: unknown;
}
/** What a served model answers for a batch of rows (the model id is `<name>/versions/<n>`). */
export type Predictor = (
  model: string,
  columns: string[],
  rows: unknown[][],
) => { predictions: unknown[]; probabilities?: number[][]; classes?: unknown[] };
/** Told of every answered scoring call (what Azure Monitor would count). */
export type ScoringListener = (call: ScoringCall, view: ScoringView) => void;

/**
 * The data plane of the fake's online endpoints: `POST /{endpoint}/score` with the endpoint
 * key as a bearer token, routed by `azureml-model-deployment` or else by the live split.
 */
export class FakeScoring {
  readonly calls: ScoringCall[] = [];
  private readonly keys = new Map<string, string>();
  private readonly failures: { endpoint: string; status: number; remaining: number }[] = [];
  /** Key `endpoint/deployment` (endpoint `*` for any) -> share of its requests that answer 500 (a flaky scoring script). */
  private readonly errorRates = new Map<string, number>();
  private readonly listeners: ScoringListener[] = [];
  /** Answers with the serving model's id per row unless a test gives a model-like predictor. */
  predictor: Predictor = (model, _columns, rows) => ({ predictions: rows.map(() => model) });
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly view: (endpoint: string) => ScoringView | undefined,
  ) {}

  static async start(tls: { key: string; cert: string }, view: (endpoint: string) => ScoringView | undefined): Promise<FakeScoring> {
    let scoring: FakeScoring | undefined;
    const server = createServer(tls, (req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const [status, body, headers] = scoring!.score(req.url ?? '/', req.headers, raw);
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    const port = await listenLocally(server);
    scoring = new FakeScoring(server, `https://127.0.0.1:${port}`, view);
    return scoring;
  }

  scoringUri(endpoint: string): string {
    return `${this.url}/${endpoint}/score`;
  }

  /** The endpoint's primary key (created on first use, as ARM creates it with the endpoint). */
  keyFor(endpoint: string): string {
    if (!this.keys.has(endpoint)) this.keys.set(endpoint, randomBytes(16).toString('hex'));
    return this.keys.get(endpoint)!;
  }

  /** A new primary key: clients holding the old one get 401 until they list keys again. */
  rotateKey(endpoint: string): void {
    this.keys.set(endpoint, randomBytes(16).toString('hex'));
  }

  /** The next `times` scoring calls to `endpoint` answer `status`, as a crashing scoring script would. */
  failNext(endpoint: string, status: number, times = 1): void {
    this.failures.push({ endpoint, status, remaining: times });
  }

  /** From now on, `share` of the requests served by deployments named `deployment` (of `endpoint`, or of any) answer 500. */
  setErrorRate(deployment: string, share: number, endpoint = '*'): void {
    this.errorRates.set(`${endpoint}/${deployment}`, share);
  }

  onScore(listener: ScoringListener): void {
    this.listeners.push(listener);
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private score(
    path: string,
    headers: Record<string, string | string[] | undefined>,
    raw: string,
  ): [number, unknown, Record<string, string>?] {
    // The scoring route is the path; a query (the caller's own parameters) is passed to the scorer as it is.
    const endpoint = /^\/([^/]+)\/score$/.exec(path.split('?')[0]!)?.[1] ?? '';
    const call: ScoringCall = {
      endpoint,
      path: `/score${path.includes('?') ? `?${path.split('?').slice(1).join('?')}` : ''}`,
      authorization: headers.authorization as string | undefined,
      deployment: headers['azureml-model-deployment'] as string | undefined,
      synthetic: headers['x-autopilot-synthetic'] as string | undefined,
      status: 0,
      at: Date.now(),
    };
    this.calls.push(call);
    const view = this.view(endpoint);
    const answer = (status: number, body: unknown, extra?: Record<string, string>): [number, unknown, Record<string, string>?] => {
      call.status = status;
      // Azure Monitor counts what reached a deployment; a request refused at the endpoint names none.
      if (view && extra?.['azureml-model-deployment']) {
        for (const listener of this.listeners)
          listener({ ...call, deployment: extra['azureml-model-deployment'], request: raw, answer: body }, view);
      }
      return [status, body, extra];
    };
    if (!view) return answer(404, { error: `no endpoint ${endpoint}` });
    if (call.authorization !== `Bearer ${this.keyFor(endpoint)}`) return answer(401, { error: 'invalid key' });
    const deployment = call.deployment ?? Object.entries(view.traffic).sort((a, b) => b[1] - a[1])[0]?.[0];
    if (!deployment || !view.models[deployment])
      return answer(404, { error: `no deployment ${deployment ?? '(no traffic)'} on ${endpoint}` });
    const failure = this.failures.find((f) => f.endpoint === endpoint && f.remaining > 0);
    const flaky = (this.errorRates.get(`${endpoint}/${deployment}`) ?? this.errorRates.get(`*/${deployment}`) ?? 0) > Math.random();
    if (failure || flaky) {
      if (failure) failure.remaining--;
      return answer(failure?.status ?? 500, { error: 'scoring script raised' }, { 'azureml-model-deployment': deployment });
    }
    let input: { columns: string[]; data: unknown[][] };
    try {
      input = (JSON.parse(raw) as { input_data: { columns: string[]; data: unknown[][] } }).input_data;
      if (!Array.isArray(input.data) || !Array.isArray(input.columns)) throw new Error('data is not an array');
    } catch {
      return answer(400, { error: 'body must be {input_data: {columns, data}}' }, { 'azureml-model-deployment': deployment });
    }
    return answer(200, this.predictor(view.models[deployment]!, input.columns, input.data), { 'azureml-model-deployment': deployment });
  }
}
