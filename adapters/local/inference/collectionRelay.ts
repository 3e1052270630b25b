import type { EnvironmentName } from '../../../shared/config/schema';
import type { ScoredExchange } from '../../../shared/monitoring/toInferenceRecords';
import { ExchangePacker, type ExchangeGroup } from './exchangeBatch';
import type { CollectionSink } from './routerControl';

/** @default the relay sends what it holds this often. */
const RELAY_INTERVAL_MS = 20;

/**
 * The router process's end of inference collection: the answered exchanges, raw, go to the
 * host in batches (packed by deployment, ./exchangeBatch.ts), where the InferenceCollector turns them into records and writes them. The
 * router stays a router (as Azure ML's is: its data collector runs beside the model, not in the
 * router); reading rows, building records and the blob writes cost ~55 µs per request, as much
 * as routing itself (bench §6). The host asks for a flush before it reads counts, so they stay exact.
 */
export class CollectionRelay implements CollectionSink {
  private readonly environments: ReadonlySet<EnvironmentName>;
  private readonly pending = new ExchangePacker();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    environments: readonly EnvironmentName[],
    /** The host reads the answer again: a parsed answer costs more to copy across than to parse. */
    private readonly send: (groups: ExchangeGroup[]) => void,
  ) {
    this.environments = new Set(environments);
  }

  collects(environment: EnvironmentName): boolean {
    return !this.closed && this.environments.has(environment);
  }

  collect(exchange: ScoredExchange): void {
    this.pending.add(exchange);
    this.timer ??= setTimeout(() => this.flushWithin(), RELAY_INTERVAL_MS).unref();
  }

  /** Sends what is held now. */
  async flushWithin(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    this.send(this.pending.take());
  }

  async stop(): Promise<void> {
    await this.flushWithin();
    this.closed = true;
  }
}
