import { extname, join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { AutopilotError } from '../../shared/errors';

/**
 * Starts `<name>.js` beside this file (compiled code) or `<name>.ts` through tsx (sources under
 * tsx or jest), so one worker file serves both.
 */
export function startWorker(name: string, options: WorkerOptions): Worker {
  const extension = extname(__filename);
  const entry = join(__dirname, `${name}${extension}`);
  if (extension !== '.ts') return new Worker(entry, options);
  const tsx = require.resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry)});`, { ...options, eval: true });
}

/** One request, its one reply; a worker that dies (out of memory, a bug) rejects instead of hanging. `what` names it in errors. */
export function ask<Reply>(worker: Worker, request: unknown, what: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const done = () => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    };
    const onMessage = (reply: Reply) => (done(), resolve(reply));
    const onError = (error: Error) => (done(), reject(new AutopilotError(`${what} failed: ${error.message}`)));
    const onExit = (code: number) => (done(), reject(new AutopilotError(`${what} exited (code ${code})`)));
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(request);
  });
}

/** Gathers small network chunks into about `bytes`-sized pieces. */
export async function* gather(chunks: AsyncIterable<Uint8Array>, bytes: number): AsyncIterable<Uint8Array> {
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
