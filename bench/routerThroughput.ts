import { spawn, type ChildProcess } from 'node:child_process';
import type { Agent } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startChildStack } from '../devhost/childStack';
import { BenchClient } from './client';
import { directScoringUrl } from './directScoringUrl';
import { keepAliveAgent, postScore } from './scoreClient';
import { summarize, type Summary } from './stats';
import { measureReleaseWallTime } from './wallTime';

export interface Throughput {
  requests: number;
  requestsPerSecond: number;
  latency: Summary;
}

export interface RouterBench {
  endpoint: string;
  deployment: string;
  sequential: Record<Target, Summary>;
  burst: { concurrency: number } & Record<Target, Throughput>;
}

export interface RouterBenchOptions {
  /** Sequential requests per target. @default 500 */
  sequential?: number;
  /** Requests per target in the concurrent burst. @default 3000 */
  burst?: number;
  /** Requests in flight during the burst. @default 16 */
  concurrency?: number;
}

export type Target = 'router' | 'proxy' | 'direct';
const TARGETS: Target[] = ['direct', 'proxy', 'router'];
/** ABCCBA: each target runs in two halves mirrored around the others', so a drift in machine load hits all alike. */
const ORDER: Target[] = [...TARGETS, ...[...TARGETS].reverse()];

/**
 * Section 6: the same 2-row request through the endpoint router, through a minimal keep-alive
 * proxy (bench/minimalProxy.ts: the cost of a bare hop) and straight to the deployment's
 * scoring server, one at a time and then `concurrency` in flight.
 */
export async function measureRouter(client: BenchClient, endpointName: string, options: RouterBenchOptions = {}): Promise<RouterBench> {
  const sequential = options.sequential ?? 500;
  const burstRequests = options.burst ?? 3000;
  const concurrency = options.concurrency ?? 16;
  const endpoint = (await client.endpoints()).find((e) => e.name === endpointName);
  if (!endpoint) throw new Error(`bench: GET /api/endpoints does not list ${endpointName}`);
  const direct = await directScoringUrl(client.stateDir, endpoint);
  const proxy = await startMinimalProxy(direct.url);
  const urls: Record<Target, string> = { router: `${client.endpointsUrl}/${endpointName}/score`, proxy: proxy.url, direct: direct.url };
  const agents: Record<Target, Agent> = { router: keepAliveAgent(concurrency), proxy: keepAliveAgent(concurrency), direct: keepAliveAgent(concurrency) };
  try {
    for (const target of TARGETS) await run(urls[target], agents[target], 50, 1); // warm-up
    const seq: Record<Target, number[]> = { router: [], proxy: [], direct: [] };
    for (const target of ORDER) seq[target].push(...(await run(urls[target], agents[target], sequential / 2, 1)).ms);
    const burst: Record<Target, { ms: number[]; elapsedMs: number }> = { router: { ms: [], elapsedMs: 0 }, proxy: { ms: [], elapsedMs: 0 }, direct: { ms: [], elapsedMs: 0 } };
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
      sequential: { router: summarize(seq.router), proxy: summarize(seq.proxy), direct: summarize(seq.direct) },
      burst: { concurrency, router: throughput('router'), proxy: throughput('proxy'), direct: throughput('direct') },
    };
  } finally {
    for (const target of TARGETS) agents[target].destroy();
    proxy.process.kill();
  }
}

/** bench/minimalProxy.ts in a process of its own (like the router and the scoring server), once it listens. */
async function startMinimalProxy(targetUrl: string): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'minimalProxy.ts'), targetUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`bench: the minimal proxy exited (${code}) before listening`))));
  const listening = (async () => {
    for await (const line of createInterface({ input: child.stdout! })) {
      const port = /^LISTENING (\d+)$/.exec(line)?.[1];
      if (port) return `http://127.0.0.1:${port}/score`;
    }
    throw new Error('bench: the minimal proxy closed its output before listening');
  })();
  try {
    return { url: await Promise.race([listening, exited]), process: child };
  } catch (error) {
    child.kill();
    throw error;
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

/**
 * `npm run bench -- --only 6`: its own stack (bench/autopilot.yaml), the `small` pipeline trained
 * and released to `small-prod` as main() does, then the measurement above.
 * AUTOPILOT_BENCH_CPU_PROF=<dir>: the stack process writes a CPU profile there when it stops.
 */
export async function measureRouterAlone(): Promise<RouterBench> {
  const profileDir = process.env.AUTOPILOT_BENCH_CPU_PROF;
  const stack = await startChildStack(join(__dirname, 'autopilot.yaml'), { jobPollSeconds: '1', ...(profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}) });
  try {
    const client = new BenchClient(stack);
    await client.init();
    const release = await measureReleaseWallTime(client, 'small/', 2_000);
    if (release.status !== 'succeeded') throw new Error(`bench: the small pipeline's release ended ${release.status}: ${release.reason ?? ''}`);
    return await measureRouter(client, 'small-prod', { sequential: 500, burst: 3000, concurrency: 16 });
  } finally {
    await stack.stop();
  }
}
