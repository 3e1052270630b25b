import { request as httpsRequest, type Agent } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { InvokeResult, ScoreRequest } from '../../../shared/ports';
import { SYNTHETIC_QUERY } from '../../../shared/monitoring/collectedInference';

export interface InvokeScoringOptions {
  /** Routes to this deployment (`azureml-model-deployment`) instead of the live split. @default the split */
  deployment?: string;
  /**
   * Marks load-generator requests so they never count as production data: by header for our own
   * router, and by query parameter for Azure ML's data collector, which keeps no headers but
   * does keep the request's path with its query (SYNTHETIC_QUERY). @default false
   */
  synthetic?: boolean;
  /** TLS agent (a private CA, or a test fake's). @default node's global agent */
  agent?: Agent;
  /** Gives up after this long; the result is then status 0. @default 60000 */
  timeoutMs?: number;
}

/**
 * One POST to an online endpoint's scoring URI. Every HTTP answer (and an unreachable server,
 * as status 0) is a result, because canary analysis counts failures rather than aborting on them.
 * Plain node:https instead of the SDK pipeline: the scoring plane takes the endpoint key, not an
 * ARM token, and must not be retried (a retry would hide the failure we are measuring).
 */
export function invokeScoring(
  scoringUri: string,
  key: string,
  body: ScoreRequest,
  options: InvokeScoringOptions = {},
): Promise<InvokeResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  if (options.deployment) headers['azureml-model-deployment'] = options.deployment;
  if (options.synthetic) headers['x-autopilot-synthetic'] = '1';
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const target = options.synthetic ? withSyntheticMark(scoringUri) : scoringUri;
    const req = httpsRequest(target, { method: 'POST', headers, agent: options.agent, timeout: options.timeoutMs ?? 60_000 }, (res) => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (raw += chunk));
      res.on('end', () => {
        const deployment = res.headers['azureml-model-deployment'];
        resolve({
          status: res.statusCode ?? 0,
          latencyMs: elapsed(),
          deployment: typeof deployment === 'string' ? deployment : undefined,
          body: parseBody(raw),
        });
      });
      res.on('error', (error) => resolve({ status: 0, latencyMs: elapsed(), body: { error: error.message } }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${new URL(scoringUri).host} within the timeout`)));
    req.on('error', (error) => resolve({ status: 0, latencyMs: elapsed(), body: { error: error.message } }));
    req.end(JSON.stringify(body));
  });
}

function withSyntheticMark(scoringUri: string): string {
  const url = new URL(scoringUri);
  url.searchParams.set(SYNTHETIC_QUERY.name, SYNTHETIC_QUERY.value);
  return url.toString();
}

function parseBody(raw: string): unknown {
  try {
    return raw ? JSON.parse(raw) : undefined;
  } catch {
    return raw;
  }
}
