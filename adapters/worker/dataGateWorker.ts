/**
 * The worker-thread side of WorkerDataGate: hosts one pass of the data gate (shared/data)
 * and answers every chunk with the CSV it produced, so the parent writes it out before
 * sending more (one chunk in flight each way bounds memory).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openGateSession, type GateJob, type GateSession } from '../../shared/data/dataGate';
import type { WireError, WorkerReply, WorkerRequest } from './protocol';

const port = parentPort!;
const reply = (message: WorkerReply) => port.postMessage(message);
const nothing = () => ({ train: '', holdout: '', trainHashes: new Uint8Array(0) });
// A job that cannot open (bad plan) answers its first request with the error.
let session: GateSession | Error;
try {
  session = openGateSession(workerData as GateJob);
} catch (error) {
  session = error instanceof Error ? error : new Error(String(error));
}

port.on('message', (request: WorkerRequest) => {
  try {
    if (session instanceof Error) throw session;
    // Narrowed for the closure: `session` is assigned once, above.
    const open: GateSession = session;
    if (request.kind === 'chunk') {
      reply({ kind: 'piece', piece: open.push(request.chunk) ?? nothing() });
    } else {
      const { piece, result } = open.end();
      reply({ kind: 'done', piece: piece ?? nothing(), result });
    }
  } catch (error) {
    reply({ kind: 'error', error: toWire(error) });
  }
});

function toWire(error: unknown): WireError {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, ...('blob' in error ? { blob: String(error.blob) } : {}) };
  }
  return { name: 'Error', message: String(error) };
}
