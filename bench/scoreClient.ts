import { Agent, request } from 'node:http';

/** Rows in SCORE_REQUEST: the inference records the collector writes for each. */
export const SCORE_REQUEST_ROWS = 2;

/** The 2-row request the bench scores with (the example model's columns). */
export const SCORE_REQUEST = JSON.stringify({
  input_data: {
    columns: ['tenure_months', 'monthly_charges', 'total_charges', 'support_calls', 'age', 'contract', 'payment_method', 'region'],
    data: [
      [3, 95.5, 286.5, 5, 29, 'month-to-month', 'electronic-check', 'north'],
      [60, 20.1, 1206, 0, 61, 'two-year', 'credit-card', 'west'],
    ],
  },
});

export interface ScoreAnswer {
  status: number;
  /** `azureml-model-deployment`: which deployment answered (set by the router only). */
  deployment?: string;
  /** performance.now() when the request was sent, and the round trip. */
  sentAt: number;
  ms: number;
  /** The body of a non-2xx answer, for error messages. */
  error?: string;
}

/**
 * One POST over a keep-alive agent. node:http rather than fetch: it costs the client less
 * CPU per request, and on a 2-core machine the client competes with what it measures.
 */
export function postScore(url: string, agent: Agent, body: string = SCORE_REQUEST): Promise<ScoreAnswer> {
  const sentAt = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const ms = performance.now() - sentAt;
          const status = res.statusCode ?? 0;
          const deployment = res.headers['azureml-model-deployment'];
          resolve({
            status,
            sentAt,
            ms,
            ...(typeof deployment === 'string' ? { deployment } : {}),
            ...(status < 200 || status > 299 ? { error: Buffer.concat(chunks).toString('utf8').slice(0, 300) } : {}),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function keepAliveAgent(maxSockets = 32): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}
