import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Agent } from 'node:http';
import { join } from 'node:path';
import { startChildStack } from '../devhost/childStack';
import { BenchClient } from './client';
import { directScoringUrl } from './directScoringUrl';
import { startMinimalProxy } from './minimalProxyProcess';
import { profileOfPhases, type Phase, type ProfileSummary } from './routerProfile';
import { keepAliveAgent, postScore, SCORE_REQUEST_ROWS } from './scoreClient';
import { CollectedRecords } from './collectedRecords';
import { summarize, type Summary } from './stats';
import { measureReleaseWallTime } from './wallTime';
import { childWithCommand, cpuMicrosOf } from './procStat';
import { waitForQuietStack, type QuietWait } from './quietStack';

export interface Throughput {
  requests: number;
  requestsPerSecond: number;
  latency: Summary;
}

export type Target = 'router' | 'proxy' | 'direct';

export interface WriteCounts {
  syscalls: number;
  bytes: number;
}

/** One endpoint measured three ways: through the router, through the minimal proxy, direct. */
export interface HopComparison {
  endpoint: string;
  deployment: string;
  sequential: Record<Target, Summary>;
  /** How long the bench waited for the stack's processes to go quiet before measuring, and whether they did. */
  settled: QuietWait;
  burst: { concurrency: number } & Record<Target, Throughput>;
  /**
   * CPU time (user + system, from /proc) the hop's process spent per burst request: the stack
   * process for the router (everything else it does meanwhile included), the proxy's own.
   * Steadier than requests/s on a shared machine: other load slows a hop but does not add to its CPU.
   */
  hopCpuMicrosPerRequest: { router: number; proxy: number };
  /**
   * Write system calls and bytes written (sockets and the IPC pipe, /proc/<pid>/io) by the hop's
   * process per burst request: the router sends no more than a bare hop, or says how much more.
   */
  hopWritesPerRequest: { router: WriteCounts; proxy: WriteCounts };
  /** What the stack process spends anyway: its CPU rate while direct was measured, over the router's burst time, per router request. */
  stackBackgroundMicrosPerRequest: number;
  /** What the stack process spent while the router served, per router request (the router's process is counted in hopCpuMicrosPerRequest). */
  stackMicrosPerRouterRequest: number;
  /**
   * After each pair of router burst blocks, how long until every record of the router's requests so
   * far was written (the collector catches up on what waited while the CPUs were busy).
   */
  collectionCatchUpMs: number[];
  /** Inference records written for the endpoint at the end, and how many its router requests should give. */
  collectedRecords: { written: number; expected: number };
  /** The stack process's CPU while collection caught up, per router burst request. */
  stackCatchUpMicrosPerRouterRequest: number;
  /** Long blocks, proxy, router, router, proxy: the router serves longer than the collector waits for idle CPUs (with `sustainedSeconds`). */
  sustained?: { seconds: number; proxy: Throughput; router: Throughput };
}

export interface RouterBench {
  /** The example model (a dot product: the scoring server does almost nothing). */
  trivial: HopComparison;
  /** The same model behind a scoring script that spends ~1 ms of CPU per request. */
  busy: HopComparison;
  /** Where the stack process spent its time while the router served (with AUTOPILOT_BENCH_CPU_PROF). */
  profile?: ProfileSummary | undefined;
}

export interface RouterBenchOptions {
  /** Sequential requests per target (after SEQUENTIAL_WARM_UP each, uncounted). @default 500 */
  sequential?: number;
  /** Requests per target in the concurrent burst. @default 3000 */
  burst?: number;
  /** @default 16 */
  concurrency?: number;
  /** Also about this many seconds of each, proxy, router, router, proxy. @default none */
  sustainedSeconds?: number;
}

const TARGETS: Target[] = ['direct', 'proxy', 'router'];
/**
 * Bursts run ABCCBA, twice: each target in blocks mirrored around the others', so a drift in
 * machine load hits all alike; short blocks, because the shared machine's load changes within seconds.
 */
const ROUNDS = 2;
const ORDER: Target[] = Array.from({ length: ROUNDS }, () => [...TARGETS, ...[...TARGETS].reverse()]).flat();
const BLOCKS_PER_TARGET = 2 * ROUNDS;
// 4,000 sequential requests per target: the p50s differ by tens of microseconds.
const SECTION_OPTIONS: RouterBenchOptions = { sequential: 4000, burst: 3000, concurrency: 16 };
/** Rotations before the sequential requests counted: JIT and caches of all three warm (the first rounds ran ~2x slower). */
export const SEQUENTIAL_WARM_UP = 500;
/** Pipelines of bench/autopilot.yaml: `small` (trained before section 6 in main()) and `busy`. */
const TRIVIAL_ENDPOINT = 'small-prod';
const BUSY_ENDPOINT = 'busy-prod';

/**
 * Section 6 on a running stack where the `small` pipeline is already released: trains the
 * `busy` pipeline, then measures both endpoints. `phases` collects when the router was measured.
 */
export async function measureRouterSection(client: BenchClient, stackPid: number, phases: Phase[] = []): Promise<RouterBench> {
  await release(client, 'busy/');
  // 12 s: longer than the 5 s the collector waits for the CPUs to be idle (adapters/local/inference/collectWhenIdle.ts).
  const trivial = await measureRouter(client, TRIVIAL_ENDPOINT, stackPid, { ...SECTION_OPTIONS, sustainedSeconds: 12 }, phases);
  const busy = await measureRouter(client, BUSY_ENDPOINT, stackPid, SECTION_OPTIONS, phases);
  return { trivial, busy };
}

/**
 * `npm run bench -- --only 6`: its own stack (bench/autopilot.yaml), `small` and `busy` trained
 * and released to prod, then section 6. AUTOPILOT_BENCH_CPU_PROF=<dir>: the stack process runs
 * with --cpu-prof, writes its profile there when it stops, and the section says where the
 * router's time went.
 */
export async function measureRouterAlone(): Promise<RouterBench> {
  const profileDir = process.env['AUTOPILOT_BENCH_CPU_PROF'];
  const stack = await startChildStack(join(__dirname, 'autopilot.yaml'), {
    jobPollSeconds: '1',
    ...(profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
  });
  const phases: Phase[] = [];
  let result: RouterBench;
  try {
    const client = new BenchClient(stack);
    await client.init();
    await release(client, 'small/');
    result = await measureRouterSection(client, stack.pid, phases);
  } finally {
    await stack.stop();
  }
  if (!profileDir) return result;
  // For a closer look at the same profile (e.g. inclusive times per phase).
  await writeFile(join(profileDir, 'phases.json'), JSON.stringify({ stackPid: stack.pid, phases }, null, 1));
  return {
    ...result,
    profile: await profileOfPhases(
      profileDir,
      stack.pid,
      phases.filter((p) => p.label === `${TRIVIAL_ENDPOINT} router burst`),
    ),
  };
}

async function release(client: BenchClient, prefix: string): Promise<void> {
  const released = await measureReleaseWallTime(client, prefix, 2_000);
  if (released.status !== 'succeeded')
    throw new Error(`bench: the ${prefix} pipeline's release ended ${released.status}: ${released.reason ?? ''}`);
}

/**
 * The same 2-row request through the endpoint router, through a minimal keep-alive proxy
 * (bench/minimalProxy.ts: the cost of a bare hop) and straight to the deployment's scoring
 * server, one at a time and then `concurrency` in flight.
 */
export async function measureRouter(
  client: BenchClient,
  endpointName: string,
  stackPid: number,
  options: RouterBenchOptions = {},
  phases: Phase[] = [],
): Promise<HopComparison> {
  const sequential = options.sequential ?? 500;
  const burstRequests = options.burst ?? 3000;
  const concurrency = options.concurrency ?? 16;
  const endpoint = (await client.endpoints()).find((e) => e.name === endpointName);
  if (!endpoint) throw new Error(`bench: GET /api/endpoints does not list ${endpointName}`);
  const direct = await directScoringUrl(client.stateDir, endpoint);
  const proxy = await startMinimalProxy(direct.url);
  const urls: Record<Target, string> = { router: `${client.endpointsUrl}/${endpointName}/score`, proxy: proxy.url, direct: direct.url };
  const agents: Record<Target, Agent> = {
    router: keepAliveAgent(concurrency),
    proxy: keepAliveAgent(concurrency),
    direct: keepAliveAgent(concurrency),
  };
  const timed = async <T>(label: string, measure: () => Promise<T>): Promise<T> => {
    const startUs = monotonicMicros();
    const result = await measure();
    phases.push({ label: `${endpointName} ${label}`, startUs, endUs: monotonicMicros() });
    return result;
  };
  const collected = new CollectedRecords(client.connectionString, endpointName);
  const recordsBefore = await collected.count();
  let routerRequests = 0;
  const catchUpMs: number[] = [];
  let stackCatchUpMicros = 0;
  try {
    const settled = await waitForQuietStack(stackPid);
    // Sequential: one request to each target in turn, the order rotating, so the shared machine's
    // load, which changes within a second, weighs on all three alike. In blocks of 250-500 (before),
    // the same code gave added-p50 ratios from 0.95x to 1.45x from run to run; interleaved, 1.04-1.09x.
    const seq: Record<Target, number[]> = { router: [], proxy: [], direct: [] };
    const rotations = SEQUENTIAL_WARM_UP + sequential;
    await timed('sequential', async () => {
      for (let turn = 0; turn < rotations; turn++) {
        for (let offset = 0; offset < TARGETS.length; offset++) {
          const target = TARGETS[(turn + offset) % TARGETS.length]!;
          const ms = await postOk(urls[target], agents[target]);
          if (turn >= SEQUENTIAL_WARM_UP) seq[target].push(ms);
        }
      }
    });
    routerRequests += rotations;
    // What the router's requests left to collect is written before the burst, never in its blocks.
    await collected.waitFor(recordsBefore + routerRequests * SCORE_REQUEST_ROWS);
    const burst: Record<Target, { ms: number[]; elapsedMs: number }> = {
      router: { ms: [], elapsedMs: 0 },
      proxy: { ms: [], elapsedMs: 0 },
      direct: { ms: [], elapsedMs: 0 },
    };
    // The router runs in a process of its own, a child of the stack; the stack process's CPU
    // meanwhile is counted apart (direct: it is idle but for its background, measured for comparison).
    const routerPid = childWithCommand(stackPid, 'routerProcess');
    if (routerPid === undefined) throw new Error(`bench: no router process among the children of the stack (pid ${stackPid})`);
    const hopPid: Record<Target, number | undefined> = { router: routerPid, proxy: proxy.pid, direct: stackPid };
    const hopCpuMicros: Record<Target, number> = { router: 0, proxy: 0, direct: 0 };
    const hopWrites: Record<Target, WriteCounts> = { router: noWrites(), proxy: noWrites(), direct: noWrites() };
    let stackDuringRouterMicros = 0;
    for (const [index, target] of ORDER.entries()) {
      const pid = hopPid[target];
      const cpuBefore = pid === undefined ? 0 : cpuMicrosOf(pid);
      const writesBefore = pid === undefined ? noWrites() : writesOf(pid);
      const stackBefore = cpuMicrosOf(stackPid);
      const block = await timed(`${target} burst`, () => run(urls[target], agents[target], burstRequests / BLOCKS_PER_TARGET, concurrency));
      if (pid !== undefined) {
        hopCpuMicros[target] += cpuMicrosOf(pid) - cpuBefore;
        const writes = writesOf(pid);
        hopWrites[target].syscalls += writes.syscalls - writesBefore.syscalls;
        hopWrites[target].bytes += writes.bytes - writesBefore.bytes;
      }
      if (target === 'router') stackDuringRouterMicros += cpuMicrosOf(stackPid) - stackBefore;
      burst[target].ms.push(...block.ms);
      burst[target].elapsedMs += block.elapsedMs;
      if (target === 'router') routerRequests += block.ms.length;
      if (target === 'router' && ORDER[index + 1] !== 'router') {
        // The collection put off while the CPUs were busy is done now, not in the next target's blocks.
        const stackBefore = cpuMicrosOf(stackPid);
        catchUpMs.push(await collected.waitFor(recordsBefore + routerRequests * SCORE_REQUEST_ROWS));
        stackCatchUpMicros += cpuMicrosOf(stackPid) - stackBefore;
      }
    }
    const throughputOf = (block: { ms: number[]; elapsedMs: number }): Throughput => ({
      requests: block.ms.length,
      requestsPerSecond: block.ms.length / (block.elapsedMs / 1000),
      latency: summarize(block.ms),
    });
    const throughput = (t: Target) => throughputOf(burst[t]);
    let sustained: HopComparison['sustained'];
    if (options.sustainedSeconds) {
      // proxy, router, router, proxy: the router serves twice half the time in a row, past the collector's wait.
      const requests = Math.round((throughput('proxy').requestsPerSecond * options.sustainedSeconds) / 2);
      const blocks: Record<'proxy' | 'router', { ms: number[]; elapsedMs: number }> = {
        proxy: { ms: [], elapsedMs: 0 },
        router: { ms: [], elapsedMs: 0 },
      };
      for (const target of ['proxy', 'router', 'router', 'proxy'] as const) {
        const block = await timed(`${target} sustained`, () => run(urls[target], agents[target], requests, concurrency));
        blocks[target].ms.push(...block.ms);
        blocks[target].elapsedMs += block.elapsedMs;
        if (target === 'router') routerRequests += block.ms.length;
        if (target === 'router' && blocks.router.ms.length === 2 * requests)
          await collected.waitFor(recordsBefore + routerRequests * SCORE_REQUEST_ROWS);
      }
      sustained = { seconds: options.sustainedSeconds, proxy: throughputOf(blocks.proxy), router: throughputOf(blocks.router) };
    }
    return {
      endpoint: endpointName,
      deployment: direct.deployment,
      sequential: { router: summarize(seq.router), proxy: summarize(seq.proxy), direct: summarize(seq.direct) },
      settled,
      burst: { concurrency, router: throughput('router'), proxy: throughput('proxy'), direct: throughput('direct') },
      hopCpuMicrosPerRequest: { router: hopCpuMicros.router / burst.router.ms.length, proxy: hopCpuMicros.proxy / burst.proxy.ms.length },
      hopWritesPerRequest: {
        router: perRequest(hopWrites.router, burst.router.ms.length),
        proxy: perRequest(hopWrites.proxy, burst.proxy.ms.length),
      },
      stackBackgroundMicrosPerRequest: ((hopCpuMicros.direct / burst.direct.elapsedMs) * burst.router.elapsedMs) / burst.router.ms.length,
      stackMicrosPerRouterRequest: stackDuringRouterMicros / burst.router.ms.length,
      collectionCatchUpMs: catchUpMs,
      ...(sustained ? { sustained } : {}),
      collectedRecords: { written: (await collected.count()) - recordsBefore, expected: routerRequests * SCORE_REQUEST_ROWS },
      stackCatchUpMicrosPerRouterRequest: stackCatchUpMicros / burst.router.ms.length,
    };
  } finally {
    for (const target of TARGETS) agents[target].destroy();
    proxy.stop();
  }
}

const noWrites = (): WriteCounts => ({ syscalls: 0, bytes: 0 });
const perRequest = (w: WriteCounts, requests: number): WriteCounts => ({ syscalls: w.syscalls / requests, bytes: w.bytes / requests });

/** Write system calls and bytes a process has made so far (`syscw`, `wchar` of /proc/<pid>/io, Linux). */
function writesOf(pid: number): WriteCounts {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? NaN);
  return { syscalls: field('syscw'), bytes: field('wchar') };
}

/** CLOCK_MONOTONIC in µs: the clock V8's CPU profiles stamp their samples with, in every process. */
function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** One POST that must answer 200: its round trip in ms. */
async function postOk(url: string, agent: Agent): Promise<number> {
  const answer = await postScore(url, agent);
  if (answer.status !== 200) throw new Error(`bench: POST ${url} answered ${answer.status}: ${answer.error}`);
  return answer.ms;
}

/** `requests` POSTs with `concurrency` in flight; every one must answer 200. */
async function run(url: string, agent: Agent, requests: number, concurrency: number): Promise<{ ms: number[]; elapsedMs: number }> {
  const ms: number[] = [];
  let sent = 0;
  const started = performance.now();
  const worker = async () => {
    while (sent < requests) {
      sent++;
      ms.push(await postOk(url, agent));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ms, elapsedMs: performance.now() - started };
}
