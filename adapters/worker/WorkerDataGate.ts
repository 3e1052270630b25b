import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DataGate, GateJob, GateResult } from '../../shared/data/dataGate';
import type { SplitPiece } from '../../shared/data/holdoutSplit';
import { AutopilotError, DataValidationError } from '../../shared/errors';
import type { WireError, WorkerReply, WorkerRequest } from './protocol';

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

/** Compiled code starts the worker's .js; from sources (tsx, jest) the worker loads through tsx. */
function startWorker(job: GateJob, maxHeapMegabytes: number): Worker {
  const extension = extname(__filename);
  const entry = join(__dirname, `dataGateWorker${extension}`);
  const options = { workerData: job, resourceLimits: { maxOldGenerationSizeMb: maxHeapMegabytes } };
  if (extension !== '.ts') return new Worker(entry, options);
  const tsx = require.resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry)});`, { ...options, eval: true });
}

/** One request, its one reply; a worker that dies (out of memory, a bug) rejects instead of hanging. */
function ask(worker: Worker, request: WorkerRequest): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const done = () => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    };
    const onMessage = (reply: WorkerReply) => (done(), reply.kind === 'error' ? reject(fromWire(reply.error)) : resolve(reply));
    const onError = (error: Error) => (done(), reject(new AutopilotError(`the data gate's worker failed: ${error.message}`)));
    const onExit = (code: number) => (done(), reject(new AutopilotError(`the data gate's worker exited (code ${code})`)));
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(request);
  });
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

/** Gathers small network chunks into about `bytes`-sized pieces. */
async function* gather(chunks: AsyncIterable<Uint8Array>, bytes: number): AsyncIterable<Uint8Array> {
  let pending: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    pending.push(chunk);
    size += chunk.byteLength;
    if (size >= bytes) {
      yield Buffer.concat(pending);
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(pending);
}
