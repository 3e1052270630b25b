import type { EnvironmentName } from '../../../shared/config/schema';
import { inferenceBlobName } from '../../../shared/monitoring/inferenceBlobName';
import { INFERENCE_CONTAINER, type InferenceRecord } from '../../../shared/monitoring/inferenceRecord';
import type { DataStore, Logger } from '../../../shared/ports';
import { RecordBuffer } from './recordBuffer';
import { toBlobBatches } from './toBlobBatches';
import { toExcludedSet, toInferenceRecords, type ScoredExchange } from '../../../shared/monitoring/toInferenceRecords';

export interface CollectionCounters {
  /** Records built from live requests. */
  collected: number;
  /** Records written to storage. */
  flushed: number;
  /** Records thrown away: buffer full while storage was down, or still unwritten at stop. */
  dropped: number;
  /** Rows that could not become records (see toInferenceRecords). */
  uncollectable: number;
  /** Requests not collected because the request or its answer was over 1 MB (the router does not parse those). */
  skippedLarge: number;
  /** Records in memory, waiting or being written. */
  buffered: number;
}

export interface InferenceCollectorOptions {
  /** Environments whose endpoints are collected. @default ['staging', 'prod'] */
  environments?: readonly EnvironmentName[];
  /** Columns never stored nor logged (matched ignoring case): one list, or one per endpoint (asked once per endpoint). @default [] */
  excludeColumns?: readonly string[] | ((endpoint: string) => readonly string[]);
  /** Buffered records are written this often. @default 5000 */
  flushIntervalMs?: number;
  /** An endpoint with this many buffered records is written at once. @default 1000 */
  flushRecords?: number;
  /** Records kept in memory while storage fails; older ones are dropped beyond it. @default 50000 */
  maxBufferedRecords?: number;
  /** How long stop() waits for the last write before dropping what is left. @default 10000 */
  stopTimeoutMs?: number;
  /** @default INFERENCE_CONTAINER ('inference-data') */
  container?: string;
  logger?: Logger;
}

/**
 * Turns answered live requests into InferenceRecords and writes them, batched, as JSON
 * lines to Blob Storage. Collection never holds up a request (the router calls `collect`
 * after the answer went out) and never throws; memory stays bounded when storage is down.
 */
export class InferenceCollector {
  private readonly environments: ReadonlySet<EnvironmentName>;
  private readonly buffer: RecordBuffer;
  private readonly counts = new Map<string, Omit<CollectionCounters, 'buffered'>>();
  private readonly reportedUncollectable = new Set<string>();
  private flushing: Promise<void> = Promise.resolve();
  /** A flush waiting for the one in progress; it will take everything, so later calls join it. */
  private queued: Promise<void> | undefined;
  private failing = false;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private closed = false;
  /** Records of the write in progress, per endpoint. */
  private readonly writing = new Map<string, number>();
  /** Set when stop gave up waiting: the write in progress was counted as dropped. */
  private abandoned = false;
  private droppedWhenWarned = 0;
  private readonly excludedSets = new Map<string, ReadonlySet<string>>();

  constructor(
    private readonly data: DataStore,
    private readonly options: InferenceCollectorOptions = {},
  ) {
    this.environments = new Set(options.environments ?? ['staging', 'prod']);
    this.buffer = new RecordBuffer(options.maxBufferedRecords ?? 50_000, (endpoint, count) => (this.counters(endpoint).dropped += count));
  }

  /** Whether requests to an environment's endpoints are collected at all. */
  collects(environment: EnvironmentName): boolean {
    return !this.closed && this.environments.has(environment);
  }

  collect(exchange: ScoredExchange): void {
    if (!this.collects(exchange.environment)) return;
    const built = toInferenceRecords(exchange, this.excludedColumns(exchange.endpoint));
    const counters = this.counters(exchange.endpoint);
    counters.collected += built.records.length;
    counters.uncollectable += built.uncollectable;
    if (built.tooLarge) counters.skippedLarge++;
    if (built.reason) this.reportUncollectable(exchange, built.reason);
    if (built.records.length === 0) return;
    const waiting = this.buffer.add(exchange.endpoint, built.records);
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs ?? 5000).unref();
    // While storage fails, only the timer retries: a write per request would hammer it.
    if (waiting >= (this.options.flushRecords ?? 1000) && !this.failing) void this.flush();
  }

  /**
   * Writes everything buffered now, after the write in progress; flushes asked for
   * meanwhile are one (so a slow or failing storage never piles them up). Never throws.
   */
  flush(): Promise<void> {
    if (this.queued) return this.queued;
    const queued = this.flushing.then(() => {
      this.queued = undefined;
      return this.writeBuffered();
    });
    this.queued = queued;
    this.flushing = queued;
    return queued;
  }

  /** flush(), waiting at most `timeoutMs` (a storage that hangs must not hold up a shutdown). */
  async flushWithin(timeoutMs = this.options.stopTimeoutMs ?? 10_000): Promise<void> {
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([this.flush(), new Promise<void>((resolve) => (timeout = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timeout);
  }

  /** Stops collecting and writes what is buffered, waiting at most `stopTimeoutMs`. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.flushWithin();
    // A write still hanging is given up: its records count as dropped, whatever becomes of it.
    this.abandoned = true;
    for (const [endpoint, count] of this.writing) this.counters(endpoint).dropped += count;
    const dropped = this.buffer.dropAll() + sum(this.writing.values());
    this.writing.clear();
    if (dropped > 0)
      this.options.logger?.warn('inference data not written before stop; dropped', { dropped, counters: this.stats().total });
  }

  /** Counters since start, in total and per endpoint. */
  stats(): { total: CollectionCounters; byEndpoint: Record<string, Omit<CollectionCounters, 'buffered'>> } {
    const total: CollectionCounters = {
      collected: 0,
      flushed: 0,
      dropped: 0,
      uncollectable: 0,
      skippedLarge: 0,
      buffered: this.buffer.size + sum(this.writing.values()),
    };
    const byEndpoint: Record<string, Omit<CollectionCounters, 'buffered'>> = {};
    for (const [endpoint, counters] of this.counts) {
      byEndpoint[endpoint] = { ...counters };
      for (const key of ['collected', 'flushed', 'dropped', 'uncollectable', 'skippedLarge'] as const) total[key] += counters[key];
    }
    return { total, byEndpoint };
  }

  private async writeBuffered(): Promise<void> {
    let failure: unknown;
    const taken = this.buffer.takeAll();
    for (const [endpoint, records] of taken) this.writing.set(endpoint, records.length);
    for (const [endpoint, records] of taken) {
      // After one failure the rest is not tried: storage is most likely down.
      const batches = failure === undefined ? toBlobBatches(records, this.options.flushRecords ?? 1000) : [records];
      for (let i = 0; i < batches.length; i++) {
        const batch = batches[i]!;
        if (failure === undefined) {
          try {
            await this.write(endpoint, batch);
            this.settle(endpoint, batch, true);
            continue;
          } catch (error) {
            failure = error;
          }
        }
        this.settle(endpoint, batch, false);
      }
    }
    if (failure !== undefined) return this.reportFailure(failure);
    if (this.failing) this.options.logger?.info('inference data is written again', { ...this.stats().total });
    this.failing = false;
  }

  private write(endpoint: string, batch: InferenceRecord[]) {
    const first = batch[0]!;
    const name = inferenceBlobName(endpoint, first.deployment, new Date(first.time), this.seq++);
    const content = batch.map((record) => JSON.stringify(record)).join('\n') + '\n';
    return this.data.write({ container: this.options.container ?? INFERENCE_CONTAINER, name }, content, {
      contentType: 'application/x-ndjson',
    });
  }

  /** Counts a written batch; keeps an unwritten one for the next attempt, or drops it once stopped. */
  private settle(endpoint: string, batch: InferenceRecord[], written: boolean): void {
    if (this.abandoned) return;
    this.writing.set(endpoint, (this.writing.get(endpoint) ?? 0) - batch.length);
    if (written) this.counters(endpoint).flushed += batch.length;
    else if (this.closed) this.counters(endpoint).dropped += batch.length;
    else this.buffer.putBack(endpoint, batch);
  }

  /** Warns when writes start failing and whenever records were dropped since; counts only, never data. */
  private reportFailure(error: unknown): void {
    const total = this.stats().total;
    if (!this.failing || total.dropped > this.droppedWhenWarned) {
      const outcome = this.closed ? 'not written before stop; dropped' : 'kept in memory for the next attempt';
      this.options.logger?.warn(`inference data could not be written to storage; ${outcome}`, {
        error: error instanceof Error ? error.message : String(error),
        ...total,
      });
      this.droppedWhenWarned = total.dropped;
    }
    this.failing = true;
  }

  private reportUncollectable(exchange: ScoredExchange, reason: string): void {
    const key = `${exchange.endpoint}/${exchange.deployment}`;
    if (this.reportedUncollectable.has(key)) return;
    this.reportedUncollectable.add(key);
    this.options.logger?.warn(`requests to ${key} are not fully collected for monitoring: ${reason} (reported once per deployment)`);
  }

  /** Built once per endpoint: collection runs on every scored request. */
  private excludedColumns(endpoint: string): ReadonlySet<string> {
    let set = this.excludedSets.get(endpoint);
    if (!set) {
      const excluded = this.options.excludeColumns ?? [];
      this.excludedSets.set(endpoint, (set = toExcludedSet(typeof excluded === 'function' ? excluded(endpoint) : excluded)));
    }
    return set;
  }

  private counters(endpoint: string): Omit<CollectionCounters, 'buffered'> {
    let counters = this.counts.get(endpoint);
    if (!counters) this.counts.set(endpoint, (counters = { collected: 0, flushed: 0, dropped: 0, uncollectable: 0, skippedLarge: 0 }));
    return counters;
  }
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
