import type { Agent } from 'node:http';
import type { BenchClient } from './client';
import { directScoringUrl } from './directScoringUrl';
import { keepAliveAgent, postScore } from './scoreClient';
import { summarize, type Summary } from './stats';

export interface Throughput {
  requests: number;
  requestsPerSecond: number;
  latency: Summary;
}

export interface RouterBench {
  endpoint: string;
  deployment: string;
  sequential: { router: Summary; direct: Summary };
  burst: { concurrency: number; router: Throughput; direct: Throughput };
}

export interface RouterBenchOptions {
  /** Sequential requests per target. @default 500 */
  sequential?: number;
  /** Requests per target in the concurrent burst. @default 3000 */
  burst?: number;
  /** Requests in flight during the burst. @default 16 */
  concurrency?: number;
}

type Target = 'router' | 'direct';
/** ABBA: each target runs in two halves around the other's, so a drift in machine load hits both alike. */
const ORDER: Target[] = ['direct', 'router', 'router', 'direct'];

/**
 * Section 6: the same 2-row request through the endpoint router and straight to the
 * deployment's scoring server, one at a time and then `concurrency` in flight.
 */
export async function measureRouter(client: BenchClient, endpointName: string, options: RouterBenchOptions = {}): Promise<RouterBench> {
  const sequential = options.sequential ?? 500;
  const burstRequests = options.burst ?? 3000;
  const concurrency = options.concurrency ?? 16;
  const endpoint = (await client.endpoints()).find((e) => e.name === endpointName);
  if (!endpoint) throw new Error(`bench: GET /api/endpoints does not list ${endpointName}`);
  const direct = await directScoringUrl(client.stateDir, endpoint);
  const urls: Record<Target, string> = { router: `${client.endpointsUrl}/${endpointName}/score`, direct: direct.url };
  const agents: Record<Target, Agent> = { router: keepAliveAgent(concurrency), direct: keepAliveAgent(concurrency) };
  try {
    for (const target of ['direct', 'router'] as const) await run(urls[target], agents[target], 50, 1); // warm-up
    const seq = { router: [] as number[], direct: [] as number[] };
    for (const target of ORDER) seq[target].push(...(await run(urls[target], agents[target], sequential / 2, 1)).ms);
    const burst = { router: { ms: [] as number[], elapsedMs: 0 }, direct: { ms: [] as number[], elapsedMs: 0 } };
    for (const target of ORDER) {
      const half = await run(urls[target], agents[target], burstRequests / 2, concurrency);
      burst[target].ms.push(...half.ms);
      burst[target].elapsedMs += half.elapsedMs;
    }
    const throughput = (t: Target): Throughput => ({
      requests: burst[t].ms.length,
      requestsPerSecond: burst[t].ms.length / (burst[t].elapsedMs / 1000),
      latency: summarize(burst[t].ms),
    });
    return {
      endpoint: endpointName,
      deployment: direct.deployment,
      sequential: { router: summarize(seq.router), direct: summarize(seq.direct) },
      burst: { concurrency, router: throughput('router'), direct: throughput('direct') },
    };
  } finally {
    agents.router.destroy();
    agents.direct.destroy();
  }
}

/** `requests` POSTs with `concurrency` in flight; every one must answer 200. */
async function run(url: string, agent: Agent, requests: number, concurrency: number): Promise<{ ms: number[]; elapsedMs: number }> {
  const ms: number[] = [];
  let sent = 0;
  const started = performance.now();
  const worker = async () => {
    while (sent < requests) {
      sent++;
      const answer = await postScore(url, agent);
      if (answer.status !== 200) throw new Error(`bench: POST ${url} answered ${answer.status}: ${answer.error}`);
      ms.push(answer.ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ms, elapsedMs: performance.now() - started };
}
