import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { BlobScanJob, BlobScanPool, BlobScanSession } from '../../shared/monitoring/blobScanPool';
import { AutopilotError } from '../../shared/errors';
import type { ScanReply, ScanRequest } from './blobScanProtocol';
import { ask, gather, startWorker } from './startWorker';

/**
 * A small young generation: scanning makes short-lived garbage only, and each worker's heap counts
 * toward the host's RSS (the run's budget is 128 MB added; V8's default young generation is larger).
 */
const YOUNG_GENERATION_MB = 8;

export interface WorkerBlobScanPoolOptions {
  /** Worker threads per monitor run. @default the cores available, at most 4 */
  parallelism?: number;
  /** Bytes gathered before they go to a worker (fewer, larger messages). @default 1 MiB */
  chunkBytes?: number;
  /** Heap cap of each worker: its state is one blob's window (bounded), never the blob. @default 64 */
  maxHeapMegabytes?: number;
}

/**
 * Monitor runs scan inference blobs on worker threads, one blob per worker at a time, so the
 * host's event loop keeps serving (it only moves bytes) and a 2-core host scans two blobs at once.
 * Workers start with a run and end with it (startup is tens of milliseconds, a run is seconds):
 * no thread or heap stays behind between runs. Each worker has one chunk in flight while this
 * thread reads the next one.
 */
export class WorkerBlobScanPool implements BlobScanPool {
  readonly parallelism: number;
  private readonly chunkBytes: number;
  private readonly maxHeapMegabytes: number;

  constructor(options: WorkerBlobScanPoolOptions = {}) {
    this.parallelism = Math.max(1, options.parallelism ?? Math.min(4, availableParallelism()));
    this.chunkBytes = options.chunkBytes ?? 1024 * 1024;
    this.maxHeapMegabytes = options.maxHeapMegabytes ?? 64;
  }

  open(job: BlobScanJob): BlobScanSession {
    const workers: (Worker | undefined)[] = new Array(this.parallelism).fill(undefined);
    const call = async (worker: Worker, request: ScanRequest): Promise<ScanReply> => {
      const reply = await ask<ScanReply>(worker, request, 'the blob scan worker');
      if (reply.kind === 'error') throw new AutopilotError(`the blob scan worker failed: ${reply.message}`);
      return reply;
    };
    return {
      scan: async (lane, blob, chunks) => {
        if (lane < 0 || lane >= workers.length) throw new RangeError(`lane ${lane} is not one of the pool's ${workers.length}`);
        const worker = (workers[lane] ??= startWorker('blobScanWorker', {
          workerData: job,
          resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMegabytes, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
        }));
        await call(worker, { kind: 'begin', blob });
        const pieces = gather(chunks, this.chunkBytes)[Symbol.asyncIterator]();
        let next = pieces.next();
        try {
          for (;;) {
            const piece = await next;
            if (piece.done) break;
            // The next piece is read while the worker scans this one.
            next = pieces.next();
            await call(worker, { kind: 'chunk', chunk: piece.value });
          }
        } catch (error) {
          // The read ahead may fail too once this one did: it is not a second error to report.
          next.catch(() => undefined);
          throw error;
        }
        const reply = await call(worker, { kind: 'end' });
        if (reply.kind !== 'done') throw new AutopilotError(`the blob scan worker answered '${reply.kind}' out of turn`);
        return { tally: reply.tally, window: reply.window };
      },
      close: async () => {
        await Promise.all(workers.map((w) => w?.terminate()));
      },
    };
  }
}

/**
 * The pool for `AUTOPILOT_MONITOR_SCAN_THREADS` worker threads that scan a monitor run's blobs
 * (0: none, the host's own thread; adapters/settings.ts validates 0 to 16). Off by default: on 2
 * shared cores two workers measured +143–173 MB of host RSS (over the 128 MB budget) and were not
 * reliably faster (docs/monitoring-statistics.md).
 */
export function blobScanPoolFrom(threads: number): WorkerBlobScanPool | undefined {
  return threads === 0 ? undefined : new WorkerBlobScanPool({ parallelism: threads });
}
