import { createServer, type Server } from 'node:https';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/** What the scorer needs to know about an endpoint: its live split and each deployment's model. */
export interface ScoringView { traffic: Record<string, number>; models: Record<string, string> }
export interface ScoringCall { endpoint: string; authorization?: string; deployment?: string; synthetic?: string; status: number }

/**
 * The data plane of the fake's online endpoints: `POST /{endpoint}/score` with the endpoint
 * key as a bearer token, routed by `azureml-model-deployment` or else by the live split.
 */
export class FakeScoring {
  readonly calls: ScoringCall[] = [];
  private readonly keys = new Map<string, string>();
  private readonly failures: { endpoint: string; status: number; remaining: number }[] = [];
  private constructor(private readonly server: Server, readonly url: string, private readonly view: (endpoint: string) => ScoringView | undefined) {}

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
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    scoring = new FakeScoring(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}`, view);
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

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private score(path: string, headers: Record<string, string | string[] | undefined>, raw: string): [number, unknown, Record<string, string>?] {
    const endpoint = /^\/([^/]+)\/score$/.exec(path)?.[1] ?? '';
    const call: ScoringCall = {
      endpoint, authorization: headers.authorization as string | undefined,
      deployment: headers['azureml-model-deployment'] as string | undefined, synthetic: headers['x-autopilot-synthetic'] as string | undefined, status: 0,
    };
    this.calls.push(call);
    const answer = (status: number, body: unknown, extra?: Record<string, string>): [number, unknown, Record<string, string>?] => ((call.status = status), [status, body, extra]);
    const view = this.view(endpoint);
    if (!view) return answer(404, { error: `no endpoint ${endpoint}` });
    if (call.authorization !== `Bearer ${this.keyFor(endpoint)}`) return answer(401, { error: 'invalid key' });
    const deployment = call.deployment ?? Object.entries(view.traffic).sort((a, b) => b[1] - a[1])[0]?.[0];
    if (!deployment || !view.models[deployment]) return answer(404, { error: `no deployment ${deployment ?? '(no traffic)'} on ${endpoint}` });
    const failure = this.failures.find((f) => f.endpoint === endpoint && f.remaining > 0);
    if (failure) {
      failure.remaining--;
      return answer(failure.status, { error: 'scoring script raised' }, { 'azureml-model-deployment': deployment });
    }
    let rows: unknown[];
    try {
      rows = (JSON.parse(raw) as { input_data: { data: unknown[] } }).input_data.data;
      if (!Array.isArray(rows)) throw new Error('data is not an array');
    } catch {
      return answer(400, { error: 'body must be {input_data: {columns, data}}' }, { 'azureml-model-deployment': deployment });
    }
    // Predicts the serving model's id for each row, so tests can see which model answered.
    return answer(200, { predictions: rows.map(() => view.models[deployment]) }, { 'azureml-model-deployment': deployment });
  }
}
