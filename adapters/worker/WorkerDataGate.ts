import type { Worker } from 'node:worker_threads';
import type { DataGate, GateJob, GateResult } from '../../shared/data/dataGate';
import type { SplitPiece } from '../../shared/data/holdoutSplit';
import { AutopilotError, DataValidationError } from '../../shared/errors';
import type { WireError, WorkerReply, WorkerRequest } from './protocol';
import { ask as askWorker, gather, startWorker as startNamedWorker } from './startWorker';

export interface WorkerDataGateOptions {
  /** Bytes gathered before they go to the worker (fewer, larger messages). @default 1 MiB */
  chunkBytes?: number;
  /** Heap cap of the worker: a runaway parse fails the stage, never the host. @default 256 */
  maxHeapMegabytes?: number;
}

/**
 * The data gate on a worker thread: the host's event loop keeps serving health checks and
 * scoring while a 250 MB file is parsed. This thread only moves bytes between the blob
 * streams and the worker; each chunk is answered before the next is sent. One worker per
 * pass (startup is tens of milliseconds, a pass is seconds to minutes), ended with it.
 */
export class WorkerDataGate implements DataGate {
  private readonly chunkBytes: number;
  private readonly maxHeapMegabytes: number;

  constructor(options: WorkerDataGateOptions = {}) {
    this.chunkBytes = options.chunkBytes ?? 1024 * 1024;
    this.maxHeapMegabytes = options.maxHeapMegabytes ?? 256;
  }

  async scan(...[chunks, options]: Parameters<DataGate['scan']>) {
    const result = await this.run({ kind: 'scan', options }, chunks, async () => {});
    return (result as Extract<GateResult, { kind: 'scan' }>).profile;
  }

  async split(...[chunks, plan, emit]: Parameters<DataGate['split']>) {
    const result = await this.run({ kind: 'split', plan }, chunks, emit);
    return (result as Extract<GateResult, { kind: 'split' }>).counts;
  }

  private async run(job: GateJob, chunks: AsyncIterable<Uint8Array>, emit: (piece: SplitPiece) => Promise<void>): Promise<GateResult> {
    const worker = startWorker(job, this.maxHeapMegabytes);
    const emitNonEmpty = async (piece: SplitPiece) => {
      if (piece.train || piece.holdout) await emit(piece);
    };
    try {
      for await (const chunk of gather(chunks, this.chunkBytes)) {
        const reply = await ask(worker, { kind: 'chunk', chunk });
        if (reply.kind !== 'piece') throw unexpected(reply);
        await emitNonEmpty(reply.piece);
      }
      const reply = await ask(worker, { kind: 'end' });
      if (reply.kind !== 'done') throw unexpected(reply);
      await emitNonEmpty(reply.piece);
      return reply.result;
    } finally {
      await worker.terminate();
    }
  }
}

function startWorker(job: GateJob, maxHeapMegabytes: number): Worker {
  return startNamedWorker('dataGateWorker', { workerData: job, resourceLimits: { maxOldGenerationSizeMb: maxHeapMegabytes } });
}

/** One request, its one reply; an error reply rejects. */
async function ask(worker: Worker, request: WorkerRequest): Promise<WorkerReply> {
  const reply = await askWorker<WorkerReply>(worker, request, "the data gate's worker");
  if (reply.kind === 'error') throw fromWire(reply.error);
  return reply;
}

function fromWire(error: WireError): Error {
  if (error.name === 'DataValidationError' && error.blob !== undefined) {
    const prefix = `${error.blob}: `;
    return new DataValidationError(error.blob, error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message);
  }
  return Object.assign(new Error(error.message), { name: error.name });
}

function unexpected(reply: WorkerReply): Error {
  return new AutopilotError(`the data gate's worker answered '${reply.kind}' out of turn`);
}
