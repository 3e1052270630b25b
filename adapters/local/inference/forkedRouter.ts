import { ensureError } from '../../../shared/errors';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Logger, ShadowReport, TrafficWindow } from '../../../shared/ports';
import type { DeploymentMetrics } from './deploymentMetrics';
import type { RoutingEntry } from './endpointRouting';
import type { CollectionStats, RouterControl } from './routerControl';
import { ENVIRONMENTS } from '../../../shared/config/schema';
import type { InferenceCollector } from './inferenceCollector';
import { readAnswerBody } from './responseBody';
import { unpackExchanges, type ExchangeGroup } from './exchangeBatch';
import { CollectWhenIdle, type CollectWhenIdleOptions } from './collectWhenIdle';
import { forkRouterProcess } from './forkRouterProcess';
import { RouterCalls, RouterGoneError } from './routerCalls';
import { RouterMessageSchema, RoutingEntrySchema, type RouterCall } from './routerMessages';

/** A router process not listening by then is killed (loading TypeScript under tsx takes a second or two). */
const START_TIMEOUT_MS = 60_000;
/** How long stop() waits for the router to write what it collected and exit before killing it. */
const STOP_TIMEOUT_MS = 15_000;
/** How long a call waits for the router's answer. */
const CALL_TIMEOUT_MS = 60_000;
/** Starts in a row a dead router gets before the host gives up on it. */
const MAX_RESTART_ATTEMPTS = 3;

export interface ForkedRouterOptions {
  port: number;
  host: string;
  /** Collects the live requests the router hands back (built into records and written here). @default none */
  collector?: InferenceCollector;
  /** When the collector gets them: while the CPUs are busy with live traffic, they wait (see CollectWhenIdle). */
  collectWhenIdle?: CollectWhenIdleOptions;
  logger?: Logger;
  /** A call not answered by then fails (stop() has its own timeout). @default 60_000 */
  callTimeoutMs?: number;
  /** Every endpoint's routing now: a router process (first or restarted) knows them all before it listens. */
  endpoints?: () => RoutingEntry[];
}

/**
 * The router in a process of its own (./routerProcess.ts), as Azure ML's endpoint router is
 * apart from the control plane. Calls go over IPC and resolve once the router has done them.
 * A router that dies is started again on the same port, knowing every endpoint's routing; what it had
 * counted in memory (traffic, shadow tallies, unwritten inference data) is lost with it.
 */
export class ForkedRouter implements RouterControl {
  private child: ChildProcess | undefined;
  private readonly calls: RouterCalls;
  private port: number;
  private stopped = false;
  /** While a dead router is being started again: resolves once it serves, rejects when given up. */
  private restarting: Promise<void> | undefined;
  private readonly waiting: CollectWhenIdle;

  constructor(private readonly options: ForkedRouterOptions) {
    this.port = options.port;
    this.calls = new RouterCalls(options.callTimeoutMs ?? CALL_TIMEOUT_MS);
    this.waiting = new CollectWhenIdle((group) => this.collect(group), options.collectWhenIdle);
  }

  /** The router process's id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<number> {
    if (!this.child) await this.launch();
    return this.port;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.stopRouter();
    // After the router: it hands over what it held as it stops.
    await this.waiting.handOnAll();
    await this.options.collector?.stop();
  }

  private async stopRouter(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      await this.call({ op: 'stop', args: [] });
    } catch {
      // It died meanwhile: nothing is left to stop.
    }
    if (child.connected) child.disconnect();
    await exited;
    clearTimeout(killer);
  }

  // Routing pushed to a router that dies meanwhile is in effect once it is back: the router
  // started again is told every endpoint's routing as it is then, this change included.
  async setEndpoint(entry: RoutingEntry): Promise<void> {
    await this.call({ op: 'setEndpoint', args: [entry as never] }).catch((error: unknown) => this.whenBack(error));
  }
  async removeEndpoint(name: string): Promise<void> {
    await this.call({ op: 'removeEndpoint', args: [name] }).catch((error: unknown) => this.whenBack(error));
  }
  async resetShadow(endpoint: string): Promise<void> {
    await this.call({ op: 'resetShadow', args: [endpoint] }).catch((error: unknown) => this.whenBack(error));
  }
  metrics(endpoint: string): Promise<Record<string, DeploymentMetrics>> {
    return this.call({ op: 'metrics', args: [endpoint] }) as Promise<Record<string, DeploymentMetrics>>;
  }
  trafficSince(endpoint: string, since: string, slowThresholdsMs: readonly number[]): Promise<TrafficWindow> {
    return this.call({ op: 'trafficSince', args: [endpoint, since, [...slowThresholdsMs]] }) as Promise<TrafficWindow>;
  }
  shadowReport(endpoint: string): Promise<ShadowReport> {
    return this.call({ op: 'shadowReport', args: [endpoint] }) as Promise<ShadowReport>;
  }
  /** Counts every request answered before the call: the router hands over what it holds first. */
  async collectionStats(): Promise<CollectionStats | undefined> {
    if (!this.options.collector) return undefined;
    await this.call({ op: 'flushCollected', args: [] });
    await this.waiting.handOnAll();
    return this.options.collector.stats();
  }
  async flushCollected(): Promise<void> {
    await this.call({ op: 'flushCollected', args: [] });
    await this.waiting.handOnAll();
    await this.options.collector?.flushWithin();
  }

  /** Resolves once a router that died under a call serves again; rethrows any other failure. */
  private async whenBack(error: unknown): Promise<void> {
    if (!(error instanceof RouterGoneError) || this.stopped) throw error;
    const { child } = error;
    // Its exit handler (registered first) decides whether it is started again.
    if (child && child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    if (!this.restarting) throw error;
    await this.restarting;
  }

  private call(call: RouterCall): Promise<unknown> {
    return this.calls.send(this.child, call);
  }

  private launch(): Promise<void> {
    const child = forkRouterProcess();
    this.child = child;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const startup = setTimeout(() => {
        reject(new Error(`the endpoint router process did not start listening within ${START_TIMEOUT_MS / 1000} s; killed`));
        child.kill('SIGKILL');
      }, START_TIMEOUT_MS);
      child.on('message', (raw: unknown) => {
        const parsed = RouterMessageSchema.safeParse(raw);
        if (!parsed.success)
          return this.options.logger?.error('a message from the router process was refused', { error: parsed.error.message });
        const message = parsed.data;
        switch (message.kind) {
          case 'ready':
            clearTimeout(startup);
            ready = true;
            this.port = message.port;
            return resolve();
          case 'failed':
            clearTimeout(startup);
            return reject(new Error(`the endpoint router did not start on port ${this.port}: ${message.error}`));
          case 'collected':
            return this.options.collector && this.waiting.hold(message.groups);
          case 'log':
            return this.options.logger?.[message.level](`router: ${message.message}`, message.properties);
          case 'result':
            return this.calls.settle(message.id, message.value, message.error);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(startup);
        this.calls.failAll(child, String(signal ?? code));
        if (this.child === child) this.child = undefined;
        if (!ready) return reject(new Error(`the endpoint router process exited while starting (${signal ?? code})`));
        if (!this.stopped) {
          const restarting = this.restart(signal ?? code);
          this.restarting = restarting;
          const settled = () => {
            if (this.restarting === restarting) this.restarting = undefined;
          };
          restarting.then(settled, settled);
        }
      });
      const collector = this.options.collector;
      child.send({
        kind: 'init',
        port: this.port,
        host: this.options.host,
        endpoints: this.readableEndpoints(),
        ...(collector ? { collect: ENVIRONMENTS.filter((e) => collector.collects(e)) } : {}),
      });
    });
  }

  private collect(group: ExchangeGroup): void {
    // The answer is read here, once (the router does not send what it parsed: copying it costs more).
    for (const exchange of unpackExchanges(group)) {
      exchange.readAnswer = readAnswerBody(exchange.answer);
      this.options.collector?.collect(exchange);
    }
  }

  /**
   * Every endpoint whose routing the router can read: one it would refuse (its push was refused
   * too) must not make it refuse its whole start, and leave every other endpoint down.
   */
  private readableEndpoints(): RoutingEntry[] {
    return (this.options.endpoints?.() ?? []).filter((entry) => {
      const refusal = RoutingEntrySchema.safeParse(entry).error;
      if (refusal)
        this.options.logger?.error(`endpoint '${entry.name}' is not served: the router refuses its routing`, { error: refusal.message });
      return !refusal;
    });
  }

  /** A router that died is started again at once: every endpoint is down until it is. Rejects when given up. */
  private async restart(cause: NodeJS.Signals | number | null): Promise<void> {
    this.options.logger?.error(
      `the endpoint router process exited unexpectedly (${cause}); starting it again on port ${this.port}. ` +
        'Traffic counts, shadow tallies and inference data not yet written are lost',
    );
    // A router killed again while it starts is started again too; one that cannot start at all
    // (its port taken) is given up after a few tries rather than forked forever.
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.launch();
        this.options.logger?.info(`the endpoint router serves again on port ${this.port}`);
        return;
      } catch (error) {
        const message = ensureError(error).message;
        if (this.stopped) break;
        if (attempt >= MAX_RESTART_ATTEMPTS) {
          const down = `the endpoint router could not be started again (${attempt} tries); online endpoints are down`;
          this.options.logger?.error(down, { error: message });
          throw new Error(`${down}: ${message}`, { cause: error });
        }
        this.options.logger?.warn(`the endpoint router did not start again (try ${attempt}); trying once more`, { error: message });
      }
    }
    throw new Error('the endpoint host was stopped while its router was being started again');
  }
}
